// The one client for Concur's APIs: token exchange, expense reads and writes, with retries and correlation ids.
import ky, { HTTPError, TimeoutError, type KyInstance, type Options as KyOptions } from 'ky';
import { z } from 'zod';
import type { Logger } from 'pino';
import type { HostAllowlist } from './hosts.js';
import type { ExpenseEntryRef } from './item-url.js';
import { oauthErrorMessage, type OAuthErrorBody } from './oauth-errors.js';
import {
  type AppError, ConcurRequestRefused, ConcurSignInFailed, ConcurUnavailable, ItemUrlNotAllowed, withCorrelation,
} from '../errors.js';
import type { ExpenseEntrySummary } from '../../src/contract/api.js';

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
}

export interface ConcurToken {
  accessToken: string;
  refreshToken?: string;
  /** Epoch milliseconds. */
  expiresAt: number;
  geolocation?: string;
}

export interface CustomFieldValue {
  id: string;
  value: string;
}

export interface ExpenseEntry {
  summary: ExpenseEntrySummary;
  customData: { id: string; value: string | null }[];
}

const TokenResponse = z.object({
  access_token: z.string().min(1),
  // Documented both as the string "3600" and the number 3600.
  expires_in: z.coerce.number().positive(),
  refresh_token: z.string().optional(),
  geolocation: z.string().optional(),
});

const ExpenseEntryResponse = z.looseObject({
  expenseType: z.looseObject({ name: z.string().optional(), id: z.string().optional() }).optional(),
  transactionAmount: z.looseObject({ value: z.number(), currencyCode: z.string() }),
  transactionDate: z.string(),
  customData: z
    .array(z.looseObject({ id: z.string(), value: z.string().nullish() }))
    .nullish()
    .transform((v) => v ?? []),
});

const HEADER = 'concur-correlationid';

/** What happened on the last attempt of one logical call, for the logs and the user. */
interface CallTrace {
  attempts: number;
  sentCorrelationId?: string;
  concurCorrelationId?: string;
}

export class ConcurClient {
  readonly #http: KyInstance;
  readonly #opts: ConcurClientOptions;
  readonly #now: () => number;

  constructor(opts: ConcurClientOptions) {
    this.#opts = opts;
    this.#now = opts.now ?? Date.now;
    const backoff = opts.backoffMs ?? 400;
    this.#http = ky.create({
      timeout: opts.timeoutMs ?? 10_000,
      retry: {
        limit: opts.retryLimit ?? 2,
        methods: ['get', 'patch'],
        statusCodes: [408, 429, 500, 502, 503, 504],
        afterStatusCodes: [413, 429, 503],
        maxRetryAfter: opts.maxRetryAfterMs ?? 5_000,
        delay: (attempt) => backoff * 2 ** (attempt - 1),
        backoffLimit: backoff * 8,
        jitter: true,
        retryOnTimeout: true,
      },
    });
  }

  /** Exchanges the launch's one-time authorization code for a user token (protocol sheet §1, §4). */
  async exchangeAuthCode(code: string): Promise<ConcurToken> {
    const { oauth } = this.#opts;
    // A string body with an explicit Content-Type: Concur rejects a charset parameter, and fetch then sends a
    // Content-Length rather than chunked encoding.
    const body = new URLSearchParams({
      client_id: oauth.clientId,
      client_secret: oauth.clientSecret,
      grant_type: 'authorization_code',
      code,
      redirect_uri: oauth.redirectUri,
    }).toString();
    const trace: CallTrace = { attempts: 0 };
    let response: Response;
    try {
      response = await this.#http.post(`${oauth.tokenBase}/oauth2/v0/token`, {
        body,
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        // The code is single-use: retry only where Concur cannot have processed it.
        retry: { methods: ['post'], statusCodes: [429, 502, 503, 504], retryOnTimeout: false },
        hooks: this.#hooks('oauth.token', trace),
      });
    } catch (error) {
      if (error instanceof HTTPError && error.response.status >= 400 && error.response.status < 500) {
        const details = (await error.response.json().catch(() => ({}))) as OAuthErrorBody;
        this.#opts.logger.warn(
          { call: 'oauth.token', status: error.response.status, oauthCode: details.code, oauthError: details.error, correlationId: trace.concurCorrelationId },
          'Concur refused the authorization code exchange',
        );
        throw withCorrelation(new ConcurSignInFailed(oauthErrorMessage(details)), trace.concurCorrelationId ?? trace.sentCorrelationId);
      }
      throw this.#unavailable('oauth.token', error, trace);
    }
    const parsed = TokenResponse.safeParse(await response.json().catch(() => null));
    if (!parsed.success) {
      throw withCorrelation(new ConcurUnavailable('Concur answered the sign-in with something we could not read. Please try again.'), trace.concurCorrelationId);
    }
    const t = parsed.data;
    return {
      accessToken: t.access_token,
      refreshToken: t.refresh_token,
      expiresAt: this.#now() + t.expires_in * 1000,
      geolocation: t.geolocation,
    };
  }

  /** Reads an expense entry for display (GET on the launch's item_url). */
  async getExpenseEntry(ref: ExpenseEntryRef, token: ConcurToken): Promise<ExpenseEntry> {
    const trace: CallTrace = { attempts: 0 };
    const json = await this.#authorized('expense.get', ref.url, token, trace, { method: 'get' })
      .then((r) => r.json())
      .catch((error: unknown) => this.#fail('expense.get', error, trace, 'read'));
    const parsed = ExpenseEntryResponse.safeParse(json);
    if (!parsed.success) {
      throw withCorrelation(new ConcurUnavailable('Concur sent an expense we could not read. Please try again.'), trace.concurCorrelationId);
    }
    const e = parsed.data;
    return {
      summary: {
        kind: 'ENTRY',
        expenseType: e.expenseType?.name ?? e.expenseType?.id ?? '',
        amount: { value: e.transactionAmount.value, currency: e.transactionAmount.currencyCode },
        date: e.transactionDate,
      },
      customData: e.customData.map((c) => ({ id: c.id, value: c.value ?? null })),
    };
  }

  /** Writes custom fields of an expense entry on an unsubmitted report; resolves once Concur answers 204. */
  async patchExpenseCustomData(ref: ExpenseEntryRef, token: ConcurToken, fields: CustomFieldValue[]): Promise<{ correlationId: string }> {
    const trace: CallTrace = { attempts: 0 };
    await this.#authorized('expense.patch', ref.url, token, trace, {
      method: 'patch',
      json: { customData: fields.map((f) => ({ id: f.id, value: f.value, isValid: true })), expenseSource: 'OTHER' },
    }).catch((error: unknown) => this.#fail('expense.patch', error, trace, 'write'));
    return { correlationId: trace.concurCorrelationId ?? trace.sentCorrelationId! };
  }

  #authorized(call: string, url: URL, token: ConcurToken, trace: CallTrace, options: KyOptions): Promise<Response> {
    // Defence in depth: the launch was checked already, but a token never leaves for a host not on the list.
    if (!this.#opts.allowlist.allows(url)) {
      return Promise.reject(new ItemUrlNotAllowed('The address of this expense is not a Concur address this connector trusts.'));
    }
    return this.#http(url, {
      ...options,
      headers: { authorization: `Bearer ${token.accessToken}`, accept: 'application/json' },
      hooks: this.#hooks(call, trace),
    });
  }

  #hooks(call: string, trace: CallTrace): KyOptions['hooks'] {
    const log = this.#opts.logger;
    return {
      beforeRequest: [
        (request) => {
          trace.attempts += 1;
          trace.sentCorrelationId = crypto.randomUUID();
          trace.concurCorrelationId = undefined;
          request.headers.set(HEADER, trace.sentCorrelationId);
        },
      ],
      afterResponse: [
        (request, _options, response) => {
          trace.concurCorrelationId = response.headers.get(HEADER) ?? undefined;
          const url = new URL(request.url);
          log.info(
            {
              call, method: request.method, host: url.host, path: url.pathname, status: response.status,
              attempt: trace.attempts, sentCorrelationId: trace.sentCorrelationId, correlationId: trace.concurCorrelationId,
            },
            'concur call',
          );
        },
      ],
      beforeRetry: [
        ({ error, retryCount }) => {
          if (!(error instanceof HTTPError)) {
            log.warn({ call, attempt: trace.attempts, retryCount, err: { name: error.name, message: error.message } }, 'concur call failed, retrying');
          }
        },
      ],
    };
  }

  #unavailable(call: string, error: unknown, trace: CallTrace): AppError {
    const id = trace.concurCorrelationId ?? trace.sentCorrelationId;
    if (error instanceof HTTPError) {
      return withCorrelation(new ConcurUnavailable(`Concur is having trouble right now (HTTP ${error.response.status}). Please try again in a moment.`), id);
    }
    const reason = error instanceof TimeoutError ? 'did not answer in time' : 'could not be reached';
    this.#opts.logger.warn({ call, attempts: trace.attempts, err: { name: (error as Error)?.name } }, `Concur ${reason}`);
    return withCorrelation(new ConcurUnavailable(`Concur ${reason}. Please try again in a moment.`), id);
  }

  async #fail(call: string, error: unknown, trace: CallTrace, what: 'read' | 'write'): Promise<never> {
    if (error instanceof ItemUrlNotAllowed) throw error;
    if (error instanceof HTTPError && error.response.status < 500 && error.response.status !== 429 && error.response.status !== 408) {
      const status = error.response.status;
      const body = (await error.response.json().catch(() => null)) as { errorMessage?: string; validationErrors?: { message?: string }[] } | null;
      const detail = body?.validationErrors?.map((v) => v.message).filter(Boolean).join('; ') || body?.errorMessage;
      this.#opts.logger.warn({ call, status, correlationId: trace.concurCorrelationId, sentCorrelationId: trace.sentCorrelationId }, `Concur refused the ${what}`);
      const message =
        status === 401 || status === 403
          ? `Concur did not allow this ${what} (HTTP ${status}). Your sign-in may have ended: close this window and click the button in Concur again.`
          : status === 404
            ? `Concur could not find this expense (HTTP 404). It may have been deleted; close this window and reopen the expense.`
            : `Concur refused the ${what} (HTTP ${status})${detail ? `: ${detail}` : ''}.`;
      throw withCorrelation(new ConcurRequestRefused(message), trace.concurCorrelationId ?? trace.sentCorrelationId);
    }
    throw this.#unavailable(call, error, trace);
  }
}
