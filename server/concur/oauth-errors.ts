// Turns Concur's OAuth error codes (protocol sheet §4) into errors that say who should do what next.
import { ConcurSignInFailed } from '../errors.ts';
import type { ServerErrorCode } from '../../src/contract/error-codes.ts';

export interface OAuthErrorBody {
  code?: number | string;
  error?: string;
  error_description?: string;
  geolocation?: string;
}

/** Whose token it is decides who must act: the user in the popup, or the administrator. */
export type OAuthAudience = 'user' | 'company';

const CLICK_AGAIN = 'Close this window and click the button in Concur again.';

interface Explanation {
  code: ServerErrorCode;
  user: string;
  company?: string;
}

const EXPLAIN: Record<number, Explanation> = {
  5: {
    code: 'oauth_credentials_rejected',
    user: `Concur did not accept the sign-in. ${CLICK_AGAIN}`,
    company:
      'Concur did not accept the company credentials. Connect the app again from the App Center ' +
      '(or run npm run company-token with a new company request token).',
  },
  53: {
    code: 'oauth_company_not_enabled',
    user:
      'Your company has not enabled this application in Concur. ' +
      'Ask your Concur administrator to enable it (App Center, or Company Admin > Authentication Admin) ' +
      'before using this field.',
    company:
      'The company has not enabled this application in Concur. Enable it for the company, ' +
      'then connect the app again.',
  },
  59: {
    code: 'oauth_client_disabled',
    user: 'This application has been disabled in Concur. Ask your Concur administrator to re-enable it.',
  },
  60: {
    code: 'oauth_grant_not_allowed',
    user:
      'The application may not use this kind of sign-in. ' +
      'An administrator must add the authorization_code, refresh_token and password grants to the client ID.',
  },
  61: {
    code: 'oauth_client_invalid',
    user: 'Concur does not know this application. An administrator must check CONCUR_CLIENT_ID.',
  },
  64: {
    code: 'oauth_client_invalid',
    user:
      'Concur rejected the application credentials. ' +
      'An administrator must check CONCUR_CLIENT_ID and CONCUR_CLIENT_SECRET.',
  },
  101: { code: 'oauth_code_invalid', user: `Concur did not send a sign-in code. ${CLICK_AGAIN}` },
  102: {
    code: 'oauth_redirect_mismatch',
    user:
      'The connector sent no redirect URL. An administrator must set CONCUR_REDIRECT_URI to the Redirect URL ' +
      'on the Launch External URL service configuration.',
  },
  103: {
    code: 'oauth_code_invalid',
    user: `The sign-in code from Concur has expired or was already used. ${CLICK_AGAIN}`,
    company:
      'The company request token has expired or is wrong (they last 24 hours). ' +
      'Connect the app again from the App Center, or generate a new one and run npm run company-token.',
  },
  104: {
    code: 'oauth_redirect_mismatch',
    user:
      "The connector's redirect URL does not match the one registered in Concur. " +
      'An administrator must set CONCUR_REDIRECT_URI to exactly the Redirect URL ' +
      'on the Launch External URL service configuration.',
  },
  105: {
    code: 'oauth_client_invalid',
    user: 'This sign-in was issued to another application. An administrator must check CONCUR_CLIENT_ID.',
  },
  108: {
    code: 'oauth_refresh_revoked',
    user: `Your Concur sign-in for this window was revoked or has expired. ${CLICK_AGAIN}`,
    company:
      'The company connection was revoked in Concur or has expired. ' +
      'An administrator must connect the app again (App Center, Connect; or npm run company-token).',
  },
  120: {
    code: 'oauth_credtype_invalid',
    user: 'Concur refused the credential type. An administrator must check the company token set-up.',
  },
  // Codes Concur added since 2022 (protocol sheet §4).
  21: {
    code: 'oauth_sso_only',
    user: 'Your company signs in to Concur with single sign-on only, and Concur refused this sign-in. ' + CLICK_AGAIN,
  },
  124: {
    code: 'oauth_product_invalid',
    user: 'Concur refused the sign-in for this product. An administrator must check the application set-up in Concur.',
  },
  134: {
    code: 'oauth_company_maintenance',
    user: 'Your company is under scheduled maintenance in Concur. Please try again later.',
    company: 'The company is under scheduled maintenance in Concur; the connector tries again later.',
  },
  135: {
    code: 'oauth_request_format',
    user:
      'Concur could not read the sign-in request (unsupported request format). ' +
      'An administrator should report this with the correlation id.',
  },
  136: {
    code: 'oauth_token_not_yours',
    user: 'Concur says this sign-in was issued to another application. An administrator must check CONCUR_CLIENT_ID.',
    company:
      'The company request token was issued for another application. Generate one for this application ' +
      '(the same client ID as CONCUR_CLIENT_ID) and connect again.',
  },
  139: {
    code: 'oauth_password_change',
    user:
      'Concur asks you to change your password to meet its policy. Sign in to Concur, change it, then ' + 'try again.',
  },
};

export function oauthError(body: OAuthErrorBody, audience: OAuthAudience): ConcurSignInFailed {
  const code = Number(body.code);
  const known = EXPLAIN[code];
  if (known)
    return new ConcurSignInFailed((audience === 'company' ? known.company : undefined) ?? known.user, known.code);
  const label = body.error ? ` (${body.error}${Number.isFinite(code) ? ` ${code}` : ''})` : '';
  return new ConcurSignInFailed(
    audience === 'company'
      ? `Concur refused the company token request${label}. Check the client ID, its grants, ` +
          'and the company request token.'
      : `Concur refused the sign-in${label}. ${CLICK_AGAIN} If it keeps happening, tell your administrator.`,
    'concur_sign_in_failed',
  );
}
