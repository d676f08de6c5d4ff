// Every error code the connector answers with, and the ones its browser client gives failures it meets on the way
// (no answer, an answer it cannot read). Typed on both sides: a code renamed on the server fails the type check
// wherever the popup tells codes apart.

/** Codes the server sends in ErrorBody. */
export const SERVER_ERROR_CODES = [
  'body_too_large',
  'company_not_connected',
  'concur_request_refused',
  'concur_sign_in_failed',
  'concur_unavailable',
  'embed_off',
  'field_not_configured',
  'field_not_embeddable',
  'field_not_writable',
  'flow_answer_invalid',
  'host_not_served',
  'internal_error',
  'invalid_request',
  'item_url_not_allowed',
  'launch_company_mismatch',
  'launch_params_invalid',
  'launch_replayed',
  'launch_signature_invalid',
  'launch_user_mismatch',
  'launch_v1_gone',
  'list_unknown',
  'not_built',
  'not_connected',
  'not_found',
  'oauth_client_disabled',
  'oauth_client_invalid',
  'oauth_code_invalid',
  'oauth_company_maintenance',
  'oauth_company_not_enabled',
  'oauth_credentials_rejected',
  'oauth_credtype_invalid',
  'oauth_grant_not_allowed',
  'oauth_password_change',
  'oauth_product_invalid',
  'oauth_redirect_mismatch',
  'oauth_refresh_revoked',
  'oauth_request_format',
  'oauth_sso_only',
  'oauth_token_not_yours',
  'rate_limited',
  'report_paid',
  'search_by_unsupported',
  'session_missing',
  'source_unavailable',
  'store_unavailable',
  'unauthorized',
  'value_not_in_catalog',
  'value_too_long',
  'xml_invalid',
] as const;
export type ServerErrorCode = (typeof SERVER_ERROR_CODES)[number];

/** Codes the browser client gives a failure that brought no ErrorBody. */
export type ClientErrorCode = 'http_error' | 'timeout' | 'network' | 'bad_response' | 'picker_failed';

export type ErrorCode = ServerErrorCode | ClientErrorCode;
