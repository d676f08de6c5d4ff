// How a refusal reads: every error becomes its status and an answer, JSON for a program, a page for a person.
// The app's own handler asks the request which it wants (Accept); the sub-apps only programs call (/api, /embed,
// /ops/company) set the JSON one as their onError; Concur's XML callouts (Fetch List) set the XML one.
import type { Context, ErrorHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { accepts } from 'hono/accepts';
import type { Logger } from 'pino';
import type { AppEnv } from './env.ts';
import { AppError } from './errors.ts';
import { errorPage } from './pages.ts';
import { xmlError } from './fetch-list/xml.ts';
import type { ErrorBody } from '../src/contract/api.ts';
import type { ServerErrorCode } from '../src/contract/error-codes.ts';

/** One refusal, whatever threw it: what the log records and what the answer says. */
interface Refusal {
  status: number;
  code: ServerErrorCode;
  title: string;
  message: string;
  reference?: string;
  headers?: Record<string, string>;
  details?: Record<string, unknown>;
}

/** The refusal an error stands for; an unexpected one is logged whole under a reference the user can quote. */
function refusalOf(err: Error, c: Context<AppEnv>, logger: Logger): Refusal {
  if (err instanceof AppError) {
    logger.info(
      {
        requestId: c.get('requestId'),
        errorCode: err.code,
        status: err.status,
        correlationId: err.correlationId,
        ...err.logContext,
      },
      err.message,
    );
    return {
      status: err.status,
      code: err.code,
      title: err.title,
      message: err.message,
      reference: err.correlationId,
      headers: err.headers,
      details: err.details,
    };
  }
  if (err instanceof HTTPException) {
    // Hono's own refusals (a malformed JSON body, a bad Basic header) keep their status and headers.
    const res = err.getResponse();
    const challenge = res.headers.get('www-authenticate');
    return {
      status: err.status,
      code: err.status === 401 ? 'unauthorized' : 'invalid_request',
      title: res.statusText || 'This request was refused',
      message: err.message || res.statusText,
      ...(challenge ? { headers: { 'WWW-Authenticate': challenge } } : {}),
    };
  }
  const reference = crypto.randomUUID();
  (c.get('log')?.() ?? logger).error({ reference, err }, 'unexpected error');
  return {
    status: 500,
    code: 'internal_error',
    title: 'Something went wrong',
    message: 'The connector hit an unexpected problem. Please try again.',
    reference,
  };
}

function answerJson(c: Context<AppEnv>, r: Refusal): Response {
  for (const [name, value] of Object.entries(r.headers ?? {})) c.header(name, value);
  const body = {
    error: { code: r.code, message: r.message, ...(r.reference ? { correlationId: r.reference } : {}), ...r.details },
  } satisfies ErrorBody;
  return c.json(body, r.status as 400);
}

function answerPage(c: Context<AppEnv>, r: Refusal): Response | Promise<Response> {
  for (const [name, value] of Object.entries(r.headers ?? {})) c.header(name, value);
  return c.html(errorPage({ title: r.title, message: r.message, reference: r.reference }), r.status as 400);
}

/**
 * A callout's refusal, in the XML Concur posted: <error><code/><message/></error>. A body too large is a 400 like
 * the request's other faults (Concur shows any refusal to its user the same way; the callout's contract names 400).
 */
function answerXml(c: Context<AppEnv>, r: Refusal): Response {
  for (const [name, value] of Object.entries(r.headers ?? {})) c.header(name, value);
  c.header('Content-Type', 'application/xml; charset=utf-8');
  // Hono's Basic challenge carries no sentence of its own.
  const message =
    r.message || (r.status === 401 ? 'The user name or password is not the connector registration’s.' : r.title);
  return c.body(xmlError(r.code, message), (r.status === 413 ? 400 : r.status) as 400);
}

/** The onError of Concur's XML callouts: every refusal in XML. */
export function xmlErrors(logger: Logger): ErrorHandler<AppEnv> {
  return (err, c) => answerXml(c, refusalOf(err, c, logger));
}

/** Whether the client asked for JSON rather than a page. */
const asksForJson = (c: Context) =>
  accepts(c, { header: 'Accept', supports: ['text/html', 'application/json'], default: 'text/html' }) ===
  'application/json';

/** The onError of a sub-app only programs call: every refusal in JSON. */
export function jsonErrors(logger: Logger): ErrorHandler<AppEnv> {
  return (err, c) => answerJson(c, refusalOf(err, c, logger));
}

/** The app's onError: JSON when the client asks for it, else a page a person can read. */
export function negotiatedErrors(logger: Logger): ErrorHandler<AppEnv> {
  return (err, c) => {
    // A page's refusal Hono made itself (a Basic challenge) is kept as it is when a person is reading.
    if (err instanceof HTTPException && !asksForJson(c)) return err.getResponse();
    const r = refusalOf(err, c, logger);
    return asksForJson(c) ? answerJson(c, r) : answerPage(c, r);
  };
}
