// Keeps a popup session's user token usable: refreshed shortly before it expires, never while it is valid.
import type { ConcurClient, ConcurToken } from './client.ts';
import { ConcurHttpError } from './client.ts';
import type { Store, V4Session } from '../store/store.ts';
import { SESSION_TTL_MS } from '../launch/limits.ts';

/** Refresh this long before expiry, so a call never starts with a token about to lapse. */
export const REFRESH_MARGIN_MS = 2 * 60 * 1000;

export class SessionTokens {
  readonly #inflight = new Map<string, Promise<ConcurToken>>();

  private readonly client: ConcurClient;
  private readonly store: Store;
  private readonly now: () => number;
  constructor(client: ConcurClient, store: Store, now: () => number) {
    this.client = client;
    this.store = store;
    this.now = now;
  }

  /** Runs a call with a valid token; if Concur rejects the token anyway (revoked early), refreshes once and retries. */
  async withToken<T>(key: string, session: V4Session, call: (token: ConcurToken) => Promise<T>): Promise<T> {
    const token = await this.#valid(key, session);
    try {
      return await call(token);
    } catch (error) {
      if (error instanceof ConcurHttpError && error.upstreamStatus === 401 && session.token.refreshToken) {
        return call(await this.#refresh(key, session));
      }
      throw error;
    }
  }

  #valid(key: string, session: V4Session): Promise<ConcurToken> {
    if (session.token.expiresAt - this.now() > REFRESH_MARGIN_MS || !session.token.refreshToken) {
      return Promise.resolve(session.token);
    }
    return this.#refresh(key, session);
  }

  /** One refresh per session at a time: concurrent calls share it. */
  #refresh(key: string, session: V4Session): Promise<ConcurToken> {
    let pending = this.#inflight.get(key);
    if (!pending) {
      pending = (async () => {
        const { token } = await this.client.refresh(session.token, 'user');
        // Concur may rotate the refresh token and move the geolocation: always keep what it returned.
        session.token = token;
        const ttl = session.createdAt + SESSION_TTL_MS - this.now();
        // The new token serves this call even if the store cannot keep it now (the call may be the write itself).
        if (ttl > 0) await this.store.putSession(key, session, ttl).catch(() => undefined);
        return token;
      })().finally(() => this.#inflight.delete(key));
      this.#inflight.set(key, pending);
    }
    return pending;
  }
}
