// Named errors, one for each refusal: the error handlers (server/error-handler.ts) turn each into its status and
// an answer a person (a page) or a program (JSON) can read.
import type { ServerErrorCode } from '../src/contract/error-codes.ts';
import type { Problem } from '../src/contract/problem.ts';

export abstract class AppError extends Error {
  /**
   * No stack trace: each of these is an expected outcome with its own name and code, and capturing a stack was a
   * noticeable share of the time it takes to refuse a forged or replayed launch. Unexpected errors keep theirs.
   */
  constructor(message?: string) {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(message);
    Error.stackTraceLimit = limit;
  }

  abstract readonly status: 400 | 401 | 403 | 404 | 409 | 410 | 413 | 421 | 422 | 429 | 502 | 503;
  /** A stable machine-readable code for JSON clients. */
  abstract readonly code: ServerErrorCode;
  /** A short title for the HTML page. */
  readonly title: string = 'Something went wrong';
  /** Concur's correlation id for the failed call, for support to find the transaction. */
  correlationId?: string;
  /** Non-secret facts for the log line only (never shown to the user). */
  logContext?: Record<string, unknown>;
  /** Headers the answer carries (a challenge, when to try again). */
  headers?: Record<string, string>;
  /** More of the refusal for a program (JSON clients only). */
  details?: Record<string, unknown>;
}

/** A request whose parameters or body do not have the shape the route takes (the validators' refusal). */
export class RequestInvalid extends AppError {
  readonly status = 400;
  readonly code = 'invalid_request';
  override readonly title = 'This request is not valid';
}

/** Nothing is served at this address. */
export class NotFound extends AppError {
  readonly status = 404;
  readonly code = 'not_found';
  override readonly title = 'Not found';
  constructor(message = 'There is nothing at this address.') {
    super(message);
  }
}

/** An administrator's request without the right ADMIN_TOKEN (bearerToken adds the challenge). */
export class Unauthorized extends AppError {
  readonly status = 401;
  readonly code = 'unauthorized';
  override readonly title = 'You are not signed in';
}

/** Embedding is off: no origin may embed the picker (EMBED_ALLOWED_ORIGINS is empty). */
export class EmbedOff extends AppError {
  readonly status = 404;
  readonly code = 'embed_off';
  override readonly title = 'Embedding is off';
  constructor() {
    super('Embedding is off: set EMBED_ALLOWED_ORIGINS to the origins of the pages that may embed the picker.');
  }
}

/** A field other pages may not search. */
export class FieldNotEmbeddable extends AppError {
  readonly status = 404;
  readonly code = 'field_not_embeddable';
  override readonly title = 'This field is not offered to other pages';
  constructor(field: string) {
    super(
      `The field ${field} is not offered to other pages ` +
        '(it must be in EMBED_FIELDS and set up in the fields configuration).',
    );
  }
}

/** A page of the browser app that has not been built. */
export class NotBuilt extends AppError {
  readonly status = 503;
  readonly code = 'not_built';
  override readonly title = 'This page has not been built';
  constructor(file: string) {
    super(`${file} has not been built: run npm run build.`);
  }
}

/** An administrator's request about the company connection when there is none. */
export class NotConnected extends AppError {
  readonly status = 404;
  readonly code = 'not_connected';
  override readonly title = 'No company is connected';
  constructor() {
    super('No company is connected.');
  }
}

export class LaunchParamsInvalid extends AppError {
  readonly status = 400;
  readonly code = 'launch_params_invalid';
  override readonly title = 'This link from Concur is incomplete';
}

export class ItemUrlNotAllowed extends AppError {
  readonly status = 400;
  readonly code = 'item_url_not_allowed';
  override readonly title = 'This link points somewhere unexpected';
}

export class FieldNotConfigured extends AppError {
  readonly status = 400;
  readonly code = 'field_not_configured';
  override readonly title = 'This button is not set up';

  /** A session's field that the configuration no longer names (it was removed since the launch). */
  static removed(fieldId: string): FieldNotConfigured {
    return new FieldNotConfigured(
      `The field ${fieldId} is no longer set up in the connector, so nothing can be chosen or saved for it. ` +
        'Close this window.',
    );
  }
}

export class BodyTooLarge extends AppError {
  readonly status = 413;
  readonly code = 'body_too_large';
  override readonly title = 'This request is too large';
}

/**
 * The sandbox answers only to its own address, so a page on another name that resolves to it (DNS rebinding)
 * cannot use it.
 */
export class HostNotServed extends AppError {
  readonly status = 421;
  readonly code = 'host_not_served';
  override readonly title = 'This address is not served here';
}

export class LaunchVersionGone extends AppError {
  readonly status = 410;
  readonly code = 'launch_v1_gone';
  override readonly title = 'This Concur field uses a launch Concur has shut down';
}

export class LaunchUserMismatch extends AppError {
  readonly status = 401;
  readonly code = 'launch_user_mismatch';
  override readonly title = 'This link is for another user';
}

/** The launch's report owner is not a user of the Concur company its connector company is linked to. */
export class LaunchCompanyMismatch extends AppError {
  readonly status = 403;
  readonly code = 'launch_company_mismatch';
  override readonly title = 'This link is for another company';
  constructor() {
    super(
      "The report this link names does not belong to the Concur company this connector's settings are linked to, " +
        'so nothing can be chosen or saved for it here. Your administrator should check the connector registration.',
    );
  }
}

export class LaunchSignatureInvalid extends AppError {
  readonly status = 401;
  readonly code = 'launch_signature_invalid';
  override readonly title = 'This link from Concur could not be verified';
}

export class LaunchReplayed extends AppError {
  readonly status = 401;
  readonly code = 'launch_replayed';
  override readonly title = 'This link has already been used';
}

/** The popup's session has ended (or never was): the user starts again from Concur. */
export class SessionMissing extends AppError {
  readonly status = 401;
  readonly code = 'session_missing';
  override readonly title = 'Your session has ended';
  constructor(message = "This window's session has ended. Close it and click the button in Concur again.") {
    super(message);
  }
}

export class ValueNotInCatalog extends AppError {
  readonly status = 422;
  readonly code = 'value_not_in_catalog';
  override readonly title = 'That value is not available';
}

/** A wizard's answer cannot be accepted; `step` names the step, so the popup can take the user back to it. */
export class FlowAnswerInvalid extends AppError {
  readonly status = 422;
  readonly code = 'flow_answer_invalid';
  override readonly title = 'An answer cannot be accepted';
  /** `problem` says why in a form the popup words in the user's language. */
  readonly step: string;
  readonly problem?: Problem;
  constructor(message: string, step: string, problem?: Problem) {
    super(message);
    this.step = step;
    this.problem = problem;
    this.details = { step, ...(problem ? { problem } : {}) };
  }
}

/** Concur's OAuth server refused a token request; the code says which problem (oauth_code_invalid, ...). */
export class ConcurSignInFailed extends AppError {
  readonly status = 401;
  override readonly title = 'Concur did not let us sign you in';
  readonly code: ServerErrorCode;
  constructor(message: string, code: ServerErrorCode = 'concur_sign_in_failed') {
    super(message);
    this.code = code;
  }
}

/** Concur (or the network to it) failed; the user can try again. */
export class ConcurUnavailable extends AppError {
  readonly status = 502;
  readonly code = 'concur_unavailable';
  override readonly title = 'Concur did not answer';
}

/** A search source (the customer's API, a Concur list) failed; the popup shows this with Try again. */
export class SourceUnavailable extends AppError {
  readonly status = 503;
  readonly code = 'source_unavailable';
  override readonly title = 'The list of values is not available';
}

/** The verification code on the Connect page is not one onboarding printed (or it was used already). */
export class VerificationWrong extends AppError {
  readonly status = 403;
  readonly code = 'unauthorized';
  override readonly title = 'That verification code is not right';
  constructor(
    message = 'The verification code does not match a company waiting for its connection, or it was used already. ' +
      'Check the code your connector provider gave you and try again.',
  ) {
    super(message);
  }
}

/** No company is connected (or Concur revoked the connection): company-token writes fail closed. */
export class CompanyNotConnected extends AppError {
  readonly status = 409;
  readonly code = 'company_not_connected';
  override readonly title = 'Your administrator must connect the app';
  constructor(
    message = 'This app is not connected to your company in Concur, so expense entries cannot be changed here. ' +
      'Your Concur administrator must connect it (App Center, Connect), then you can try again.',
  ) {
    super(message);
  }
}

/** The report has been paid: Concur refuses every change to it. */
export class ReportPaid extends AppError {
  readonly status = 409;
  readonly code = 'report_paid';
  override readonly title = 'This report has been paid';
  constructor(
    message = 'This report has been paid, and Concur no longer lets anything on it be changed. Nothing was changed.',
  ) {
    super(message);
  }
}

/** The item's form makes the field read-only or hidden for this user. */
export class FieldNotWritable extends AppError {
  readonly status = 409;
  readonly code = 'field_not_writable';
  override readonly title = 'This field cannot be changed here';
}

/** The value is longer than the field takes. */
export class ValueTooLong extends AppError {
  readonly status = 422;
  readonly code = 'value_too_long';
  override readonly title = 'The value is too long for this field';
}

/** Concur answered, but refused the read or the write. */
export class ConcurRequestRefused extends AppError {
  readonly status = 502;
  readonly code = 'concur_request_refused';
  override readonly title = 'Concur refused the change';
}

/**
 * A Fetch List callout Concur cannot be answered (its XML, its list, its search): `code` says which, for the
 * administrator reading the answer or the log.
 */
export class FetchListRefused extends AppError {
  readonly status = 400;
  override readonly title = 'This list search cannot be answered';
  readonly code: 'xml_invalid' | 'list_unknown' | 'search_by_unsupported' | 'invalid_request';
  constructor(code: FetchListRefused['code'], message: string) {
    super(message);
    this.code = code;
  }
}

/** A rate limit was reached: the answer says when to try again (Retry-After). */
export class TooManyRequests extends AppError {
  readonly status = 429;
  readonly code = 'rate_limited';
  override readonly title = 'Too many requests';
  readonly retryAfterS: number;
  constructor(message: string, retryAfterS: number) {
    super(message);
    this.retryAfterS = retryAfterS;
    this.headers = { 'Retry-After': String(retryAfterS) };
  }
}

/** The store (SQLite file or Redis) failed: nothing can be checked or remembered until it is back. */
export class StoreUnavailable extends AppError {
  readonly status = 503;
  readonly code = 'store_unavailable';
  override readonly title = 'The connector cannot reach its store';

  /** The one message users see; what failed, and why, goes to the log. */
  static because(operation: string, cause: unknown): StoreUnavailable {
    const failure = new StoreUnavailable('The connector cannot reach its store just now. Try again in a moment.');
    failure.logContext = { operation, cause: (cause as Error)?.message ?? String(cause) };
    return failure;
  }
}

export function withCorrelation<E extends AppError>(error: E, correlationId: string | undefined): E {
  if (correlationId) error.correlationId = correlationId;
  return error;
}
