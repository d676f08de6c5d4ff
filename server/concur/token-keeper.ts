// Keeps a Concur token usable for whoever holds it (a popup session, the company connection): refreshed shortly
// before it expires, never while it is valid, one refresh per holder at a time, and once more when Concur refuses it.
import type { ConcurToken } from './client.ts';
import { ConcurHttpError } from './client.ts';

/** Refresh this long before expiry, so a call never starts with a token about to lapse. */
export const REFRESH_MARGIN_MS = 2 * 60 * 1000;

/** How a holder's token is found, renewed and kept: the keeper decides when, the holder how. */
export interface TokenKeeperOptions<H> {
  /** Names the holder: concurrent calls of one holder share its refresh. */
  key: (holder: H) => string;
  /** The token in hand, if any; may throw when the holder can no longer call (the company disconnected). */
  load: (holder: H) => ConcurToken | undefined | Promise<ConcurToken | undefined>;
  /** A new token from Concur for the holder. */
  refresh: (holder: H) => Promise<ConcurToken>;
  /** Keeps a refreshed token for the next call (Concur may have rotated the refresh token, moved the geolocation). */
  save: (holder: H, token: ConcurToken) => void | Promise<void>;
  now: () => number;
  /** Whether this token can be renewed (default: it carries a refresh token); one that cannot is used as it is. */
  refreshable?: (holder: H, token: ConcurToken) => boolean;
  /**
   * Concur refused a freshly refreshed token (HTTP 401): what that means for the holder (the company's connection was
   * revoked). Without it, the refusal stands.
   */
  refusedFresh?: (holder: H, error: ConcurHttpError) => Promise<never>;
  /** Refusals checked with a refresh (a revoked grant then shows) but not retried: the company's 403. */
  checkWithRefresh?: readonly number[];
}

const refusal = (error: unknown, statuses: readonly number[]): error is ConcurHttpError =>
  error instanceof ConcurHttpError && statuses.includes(error.upstreamStatus);

export class TokenKeeper<H> {
  readonly #o: TokenKeeperOptions<H>;
  readonly #inflight = new Map<string, Promise<ConcurToken>>();
  readonly #refreshable: (holder: H, token: ConcurToken) => boolean;

  constructor(options: TokenKeeperOptions<H>) {
    this.#o = options;
    this.#refreshable = options.refreshable ?? ((_, token) => Boolean(token.refreshToken));
  }

  /** Runs a call with a valid token; if Concur rejects the token anyway (revoked early), refreshes once and retries. */
  async withToken<T>(holder: H, call: (token: ConcurToken) => Promise<T>): Promise<T> {
    const token = await this.valid(holder);
    try {
      return await call(token);
    } catch (error) {
      // A token that cannot be renewed gets no second try: Concur's refusal is the answer.
      if (!this.#refreshable(holder, token)) throw error;
      if (refusal(error, this.#o.checkWithRefresh ?? [])) {
        await this.refresh(holder);
        throw error;
      }
      if (!refusal(error, [401])) throw error;
      const fresh = await this.refresh(holder);
      try {
        return await call(fresh);
      } catch (again) {
        if (refusal(again, [401]) && this.#o.refusedFresh) return this.#o.refusedFresh(holder, again);
        throw again;
      }
    }
  }

  /** The token in hand while it is valid (or cannot be refreshed), else a refreshed one. */
  async valid(holder: H): Promise<ConcurToken> {
    const held = await this.#o.load(holder);
    if (held && (held.expiresAt - this.#o.now() > REFRESH_MARGIN_MS || !this.#refreshable(holder, held))) return held;
    return this.refresh(holder);
  }

  /** A refreshed token, kept by the holder; one refresh per holder at a time: concurrent calls share it. */
  refresh(holder: H): Promise<ConcurToken> {
    const key = this.#o.key(holder);
    let pending = this.#inflight.get(key);
    if (!pending) {
      pending = (async () => {
        const token = await this.#o.refresh(holder);
        await this.#o.save(holder, token);
        return token;
      })().finally(() => this.#inflight.delete(key));
      this.#inflight.set(key, pending);
    }
    return pending;
  }
}
