// The one HTTP client for Concur: OAuth grants and authorized API calls, with retries and correlation ids.
import type { Metrics } from '../metrics.ts';
import { decode } from 'hono/jwt';
import ky, { HTTPError, TimeoutError, type KyInstance, type Options as KyOptions } from 'ky';
import { z } from 'zod';
import type { Logger } from 'pino';
import type { HostAllowlist } from './hosts.ts';
import { oauthError, type OAuthAudience, type OAuthErrorBody } from './oauth-errors.ts';
import {
  type AppError,
  ConcurRequestRefused,
  ConcurUnavailable,
  ItemUrlNotAllowed,
  withCorrelation,
} from '../errors.ts';

export interface OAuthSettings {
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  tokenBase: string;
}

export interface ConcurClientOptions {
  oauth: OAuthSettings;
  allowlist: HostAllowlist;
  logger: Logger;
  now?: () => number;
  /** Time allowed for each attempt. */
  timeoutMs?: number;
  /** Further attempts after the first, for network errors, timeouts, 429 and 5xx. */
  retryLimit?: number;
  /** First backoff step; doubles per attempt, with full jitter. */
  backoffMs?: number;
  /** Longest Retry-After we will wait inside one interactive call. */
  maxRetryAfterMs?: number;
  metrics?: Metrics;
}

export interface ConcurToken {
  accessToken: string;
  refreshToken?: string;
  /** Epoch milliseconds. */
  expiresAt: number;
  /** Epoch milliseconds, when Concur says when the refresh token ends. */
  refreshExpiresAt?: number;
  /** Where this token's APIs live (protocol sheet §4). */
  geolocation?: string;
}

export interface TokenResult {
  token: ConcurToken;
  /** Whom the token is for: the ID token's `sub` (a user or company UUID), when Concur sent one. */
  subject?: string;
  /** The token base that finally answered, when Concur's error 16 sent us elsewhere. */
  movedTo?: string;
}

const TokenResponse = z.object({
  access_token: z.string().min(1),
  // Documented both as the string "3600" and the number 3600.
  expires_in: z.coerce.number().positive(),
  refresh_token: z.string().optional(),
  id_token: z.string().optional(),
  refresh_expires_in: z.coerce.number().positive().optional(),
  geolocation: z.string().optional(),
});

const HEADER = 'concur-correlationid';
/** The only token-endpoint answers after which Concur cannot have used a single-use code or refresh token. */
const TOKEN_RETRY_STATUSES = new Set([429, 503]);
const stripSlash = (url: string) => url.replace(/\/+$/, '');

/** What happened on the last attempt of one logical call, for the logs and the user. */
interface CallTrace {
  attempts: number;
  /** performance.now() when the current attempt started. */
  startedAt?: number;
  sentCorrelationId?: string;
  concurCorrelationId?: string;
}

/** Concur answered a call with this status; kept so callers can react (refresh on 401, for instance). */
export class ConcurHttpError extends ConcurRequestRefused {
  readonly upstreamStatus: number;
  constructor(message: string, upstreamStatus: number) {
    super(message);
    this.upstreamStatus = upstreamStatus;
  }
}

export class ConcurClient {
  readonly #http: KyInstance;
  /** Calls whose deprecation (x-api-warn, Sunset) was logged already: once each is enough. */
  readonly #warned = new Set<string>();
  readonly #opts: ConcurClientOptions;
  readonly #now: () => number;

  constructor(opts: ConcurClientOptions) {
    this.#opts = opts;
    this.#now = opts.now ?? Date.now;
    const backoff = opts.backoffMs ?? 400;
    this.#http = ky.create({
      timeout: opts.timeoutMs ?? 10_000,
      // Never follow a redirect: the allowlist is checked on the URL we call, and a token, the client secret or an
      // authorization code must not follow a 3xx to a host it was never checked for. A 3xx is a failed call.
      redirect: 'manual',
      retry: {
        limit: opts.retryLimit ?? 2,
        methods: ['get', 'patch', 'put'],
        statusCodes: [408, 429, 500, 502, 503, 504],
        afterStatusCodes: [413, 429, 503],
        maxRetryAfter: opts.maxRetryAfterMs ?? 5_000,
        delay: (attempt) => backoff * 2 ** (attempt - 1),
        backoffLimit: backoff * 8,
        jitter: true,
        retryOnTimeout: true,
        // A Retry-After longer than we can wait inside a popup fails now, with the wait in the message.
        shouldRetry: ({ error }) => (error instanceof HTTPError && !this.#retryAfterFits(error) ? false : undefined),
      },
    });
  }

  #retryAfterFits(error: HTTPError): boolean {
    const seconds = retryAfterSeconds(error.response);
    return seconds === undefined || seconds * 1000 <= (this.#opts.maxRetryAfterMs ?? 5_000);
  }

  get tokenBase(): string {
    return this.#opts.oauth.tokenBase;
  }

  /** Exchanges a launch's one-time authorization code for a user token (protocol sheet §1, §4). */
  exchangeAuthCode(code: string, tokenBase = this.#opts.oauth.tokenBase, signal?: AbortSignal): Promise<TokenResult> {
    const { oauth } = this.#opts;
    return this.#grant(
      'oauth.authorization_code',
      tokenBase,
      'user',
      {
        client_id: oauth.clientId,
        client_secret: oauth.clientSecret,
        grant_type: 'authorization_code',
        code,
        redirect_uri: oauth.redirectUri,
      },
      signal,
    );
  }

  /** Trades a refresh token for a new access token, at the token's own geolocation. */
  refresh(token: ConcurToken, audience: OAuthAudience, signal?: AbortSignal): Promise<TokenResult> {
    const { oauth } = this.#opts;
    return this.#grant(
      'oauth.refresh_token',
      token.geolocation ?? oauth.tokenBase,
      audience,
      {
        client_id: oauth.clientId,
        client_secret: oauth.clientSecret,
        grant_type: 'refresh_token',
        refresh_token: token.refreshToken ?? '',
      },
      signal,
    ).then((r) => ({
      ...r,
      // Keep what Concur did not resend: the refresh token, and where the token lives.
      token: {
        ...r.token,
        refreshToken: r.token.refreshToken ?? token.refreshToken,
        geolocation: r.token.geolocation ?? r.movedTo ?? token.geolocation,
      },
    }));
  }

  /** The company-level token: password grant with credtype=authtoken and a company request token. */
  companyToken(companyId: string, requestToken: string, tokenBase = this.#opts.oauth.tokenBase): Promise<TokenResult> {
    const { oauth } = this.#opts;
    return this.#grant('oauth.password_authtoken', tokenBase, 'company', {
      client_id: oauth.clientId,
      client_secret: oauth.clientSecret,
      grant_type: 'password',
      username: companyId,
      password: requestToken,
      credtype: 'authtoken',
    });
  }

  async #grant(
    call: string,
    tokenBase: string,
    audience: OAuthAudience,
    fields: Record<string, string>,
    signal?: AbortSignal,
    relocated = false,
  ): Promise<TokenResult> {
    const base = stripSlash(tokenBase);
    // The client secret goes only to hosts a Concur token may go to.
    if (!this.#opts.allowlist.allows(new URL(base))) {
      throw new ItemUrlNotAllowed(
        `Concur asked us to sign in at ${new URL(base).host}, which is not a Concur host this connector trusts. ` +
          'An administrator can add it to CONCUR_ALLOWED_HOSTS.',
      );
    }
    // A string body with an explicit Content-Type: Concur rejects a charset parameter, and fetch then sends a
    // Content-Length rather than chunked encoding.
    const body = new URLSearchParams(fields).toString();
    const trace: CallTrace = { attempts: 0 };
    let response: Response;
    try {
      response = await this.#http.post(`${base}/oauth2/v0/token`, {
        body,
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        // Codes and refresh tokens are single-use: retry only answers that say Concur did not process the request
        // (429, 503), never a lost connection or a gateway error after which it may have. (ky concatenates array
        // options with the instance's, so the decision is made here, explicitly, for every error.)
        retry: {
          methods: ['post'],
          shouldRetry: ({ error }) =>
            error instanceof HTTPError &&
            TOKEN_RETRY_STATUSES.has(error.response.status) &&
            this.#retryAfterFits(error),
        },
        signal,
        hooks: this.#hooks(call, trace),
      });
    } catch (error) {
      if (
        error instanceof HTTPError &&
        error.response.status >= 400 &&
        error.response.status < 500 &&
        ![408, 429].includes(error.response.status)
      ) {
        // ky 2 has read the body already: error.data is the parsed JSON (undefined when there was none).
        const details = (error.data ?? {}) as OAuthErrorBody;
        // Error 16: the user or company lives in another data centre; ask there, once, and say where.
        if (Number(details.code) === 16 && !relocated) {
          const geolocation = asHttpUrl(details.geolocation);
          if (!geolocation)
            throw withCorrelation(
              new ConcurUnavailable(
                'Concur said this user lives in another data centre but did not say which. Please try again; ' +
                  'if it keeps happening, tell your administrator.',
              ),
              trace.concurCorrelationId,
            );
          this.#opts.logger.info({ call, geolocation }, 'Concur sent the token request to another geolocation');
          const moved = await this.#grant(call, geolocation, audience, fields, signal, true);
          return { ...moved, movedTo: moved.movedTo ?? geolocation };
        }
        this.#opts.logger.warn(
          {
            call,
            status: error.response.status,
            oauthCode: details.code,
            oauthError: details.error,
            correlationId: trace.concurCorrelationId,
          },
          'Concur refused the token request',
        );
        throw withCorrelation(oauthError(details, audience), trace.concurCorrelationId ?? trace.sentCorrelationId);
      }
      throw this.#unavailable(call, error, trace);
    }
    const parsed = TokenResponse.safeParse(await response.json().catch(() => null));
    if (!parsed.success) {
      throw withCorrelation(
        new ConcurUnavailable('Concur answered the sign-in with something we could not read. Please try again.'),
        trace.concurCorrelationId,
      );
    }
    const t = parsed.data;
    const now = this.#now();
    const subject = t.id_token ? idTokenSubject(t.id_token) : undefined;
    return {
      ...(subject ? { subject } : {}),
      token: {
        accessToken: t.access_token,
        refreshToken: t.refresh_token,
        expiresAt: now + t.expires_in * 1000,
        // Documented as an epoch time in seconds.
        refreshExpiresAt: t.refresh_expires_in ? t.refresh_expires_in * 1000 : undefined,
        // A geolocation that is not an http(s) URL is ignored rather than trusted.
        geolocation: asHttpUrl(t.geolocation),
      },
    };
  }

  /** GET with the token; resolves with the parsed JSON and the correlation id. */
  async getJson(
    call: string,
    url: URL,
    token: ConcurToken,
    signal?: AbortSignal,
  ): Promise<{ json: unknown; correlationId: string }> {
    const trace: CallTrace = { attempts: 0 };
    const json = await this.#authorized(call, url, token, trace, { method: 'get', signal })
      .then((r) => r.json())
      .catch((error: unknown) => this.#fail(call, error, trace, 'read'));
    return { json, correlationId: trace.concurCorrelationId ?? trace.sentCorrelationId! };
  }

  /** PATCH or PUT a JSON body with the token; resolves once Concur has accepted it. */
  async send(
    call: string,
    method: 'patch' | 'put',
    url: URL,
    token: ConcurToken,
    body: unknown,
    signal?: AbortSignal,
  ): Promise<{ correlationId: string }> {
    const trace: CallTrace = { attempts: 0 };
    await this.#authorized(call, url, token, trace, { method, json: body, signal }).catch((error: unknown) =>
      this.#fail(call, error, trace, 'write'),
    );
    return { correlationId: trace.concurCorrelationId ?? trace.sentCorrelationId! };
  }

  /** DELETE with the token (revoking a connection); resolves once Concur has accepted it. */
  async remove(call: string, url: URL, token: ConcurToken, signal?: AbortSignal): Promise<{ correlationId: string }> {
    const trace: CallTrace = { attempts: 0 };
    await this.#authorized(call, url, token, trace, { method: 'delete', signal }).catch((error: unknown) =>
      this.#fail(call, error, trace, 'write'),
    );
    return { correlationId: trace.concurCorrelationId ?? trace.sentCorrelationId! };
  }

  #authorized(call: string, url: URL, token: ConcurToken, trace: CallTrace, options: KyOptions): Promise<Response> {
    // Defence in depth: launches were checked already, but a token never leaves for a host not on the list.
    if (!this.#opts.allowlist.allows(url)) {
      return Promise.reject(
        new ItemUrlNotAllowed('The address of this item is not a Concur address this connector trusts.'),
      );
    }
    return this.#http(url, {
      ...options,
      headers: { authorization: `Bearer ${token.accessToken}`, accept: 'application/json' },
      hooks: this.#hooks(call, trace),
    });
  }

  #startAttempt(request: Request, trace: CallTrace): void {
    trace.attempts += 1;
    trace.startedAt = performance.now();
    trace.sentCorrelationId = crypto.randomUUID();
    trace.concurCorrelationId = undefined;
    request.headers.set(HEADER, trace.sentCorrelationId);
  }

  #hooks(call: string, trace: CallTrace): KyOptions['hooks'] {
    const log = this.#opts.logger;
    return {
      // Each attempt carries a correlation id of its own. ky 2 runs beforeRequest once, before the first attempt,
      // and beforeRetry before each further one.
      beforeRequest: [({ request }) => this.#startAttempt(request, trace)],
      afterResponse: [
        ({ request, response }) => {
          trace.concurCorrelationId = response.headers.get(HEADER) ?? undefined;
          this.#opts.metrics?.concurCalls.observe(
            { call, status: String(response.status) },
            (performance.now() - (trace.startedAt ?? performance.now())) / 1000,
          );
          const url = new URL(request.url);
          const apiWarn = response.headers.get('x-api-warn');
          const sunset = response.headers.get('sunset');
          if ((apiWarn ?? sunset) && !this.#warned.has(call)) {
            this.#warned.add(call);
            log.warn(
              { call, host: url.host, path: url.pathname, apiWarn, sunset },
              'Concur says this API is deprecated or will change (x-api-warn / Sunset); logged once per call',
            );
          }
          if (response.status >= 300 && response.status < 400) {
            log.error(
              {
                call,
                method: request.method,
                host: url.host,
                path: url.pathname,
                status: response.status,
                redirectHost: redirectHost(response),
                correlationId: trace.concurCorrelationId,
              },
              'Concur answered with a redirect, which the connector never follows ' +
                '(no token or secret goes to an address it did not check); the call failed',
            );
          }
          log.info(
            {
              call,
              method: request.method,
              host: url.host,
              path: url.pathname,
              status: response.status,
              attempt: trace.attempts,
              sentCorrelationId: trace.sentCorrelationId,
              correlationId: trace.concurCorrelationId,
            },
            'concur call',
          );
        },
      ],
      beforeRetry: [
        ({ request, error, retryCount }) => {
          if (!(error instanceof HTTPError)) {
            log.warn(
              { call, attempt: trace.attempts, retryCount, err: { name: error.name, message: error.message } },
              'concur call failed, retrying',
            );
          }
          this.#startAttempt(request, trace);
        },
      ],
    };
  }

  #unavailable(call: string, error: unknown, trace: CallTrace): AppError {
    const id = trace.concurCorrelationId ?? trace.sentCorrelationId;
    this.#opts.metrics?.concurFailures.inc({ call, status: statusLabel(error) });
    if (error instanceof HTTPError) {
      const wait = retryAfterSeconds(error.response);
      this.#opts.logger.error(
        { call, status: error.response.status, attempts: trace.attempts, correlationId: id, retryAfter: wait },
        'Concur failed',
      );
      return withCorrelation(
        new ConcurUnavailable(
          wait !== undefined && error.response.status === 429
            ? `Concur is busy and asked us to wait ${Math.ceil(wait)} seconds. Please try again then.`
            : `Concur is having trouble right now (HTTP ${error.response.status}). Please try again in a moment.`,
        ),
        id,
      );
    }
    const name = (error as Error)?.name;
    const reason =
      error instanceof TimeoutError || name === 'TimeoutError' || name === 'AbortError'
        ? 'did not answer in time'
        : 'could not be reached';
    this.#opts.logger.error(
      { call, attempts: trace.attempts, correlationId: id, err: { name: (error as Error)?.name } },
      `Concur ${reason}`,
    );
    return withCorrelation(new ConcurUnavailable(`Concur ${reason}. Please try again in a moment.`), id);
  }

  #fail(call: string, error: unknown, trace: CallTrace, what: 'read' | 'write'): never {
    if (error instanceof ItemUrlNotAllowed) throw error;
    if (
      error instanceof HTTPError &&
      error.response.status >= 400 &&
      error.response.status < 500 &&
      error.response.status !== 429 &&
      error.response.status !== 408
    ) {
      const status = error.response.status;
      this.#opts.metrics?.concurFailures.inc({ call, status: String(status) });
      const body = (error.data ?? null) as {
        errorMessage?: string;
        Message?: string;
        validationErrors?: { message?: string }[];
      } | null;
      // The first that says something: an empty list of validation errors or an empty message says nothing.
      const detail = [
        body?.validationErrors
          ?.map((v) => v.message)
          .filter(Boolean)
          .join('; '),
        body?.errorMessage,
        body?.Message,
      ].find(Boolean);
      this.#opts.logger.warn(
        { call, status, correlationId: trace.concurCorrelationId, sentCorrelationId: trace.sentCorrelationId },
        `Concur refused the ${what}`,
      );
      const message =
        status === 401 || status === 403
          ? `Concur did not allow this ${what} (HTTP ${status}). Your sign-in may have ended: ` +
            'close this window and click the button in Concur again.'
          : status === 404
            ? 'Concur could not find this item (HTTP 404). It may have been deleted; ' +
              'close this window and reopen the report.'
            : `Concur refused the ${what} (HTTP ${status})${detail ? `: ${detail}` : ''}.`;
      throw withCorrelation(new ConcurHttpError(message, status), trace.concurCorrelationId ?? trace.sentCorrelationId);
    }
    throw this.#unavailable(call, error, trace);
  }
}

/**
 * The `sub` of an ID token (a JWT, read with Hono's decoder). It came straight from Concur's token endpoint over
 * TLS, in answer to our own request, so its claims are read without checking its signature (OpenID Connect Core
 * §3.1.3.7).
 */
function idTokenSubject(jwt: string): string | undefined {
  try {
    const { sub } = decode(jwt).payload;
    return typeof sub === 'string' && sub ? sub : undefined;
  } catch {
    return undefined;
  }
}

/** The host a 3xx points to, for the log (never the whole Location: it may carry a code). */
function redirectHost(response: Response): string | undefined {
  const location = response.headers.get('location');
  if (!location) return undefined;
  try {
    return new URL(location, 'http://invalid.invalid').host;
  } catch {
    return 'unreadable';
  }
}

/** Retry-After in seconds (a number of seconds or an HTTP date), when the answer has one. */
function retryAfterSeconds(response: Response): number | undefined {
  const value = response.headers.get('retry-after');
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, (date - Date.now()) / 1000);
}

/** An http(s) URL without a trailing slash, or undefined. */
function asHttpUrl(value: string | undefined): string | undefined {
  if (!value) return undefined;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:' ? stripSlash(url.href) : undefined;
  } catch {
    return undefined;
  }
}

/** The status a failed call is counted under: Concur's HTTP status, or timeout / network. */
function statusLabel(error: unknown): string {
  if (error instanceof HTTPError) return String(error.response.status);
  const name = (error as Error | undefined)?.name;
  return name === 'TimeoutError' || name === 'AbortError' ? 'timeout' : 'network';
}
