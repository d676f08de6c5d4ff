// Keeps a popup session's user token usable (the token keeper's rules), saving each refreshed token with the session.
import type { ConcurClient, ConcurToken } from '../concur/client.ts';
import { TokenKeeper } from '../concur/token-keeper.ts';
import type { Store } from '../store/store.ts';
import type { Session } from './session.ts';
import { SESSION_TTL_MS } from '../launch/limits.ts';

interface Held {
  key: string;
  session: Session;
}

export class SessionTokens {
  readonly #tokens: TokenKeeper<Held>;

  constructor(client: ConcurClient, store: Pick<Store, 'putSession'>, now: () => number) {
    this.#tokens = new TokenKeeper<Held>({
      key: ({ key }) => key,
      load: ({ session }) => session.token,
      refresh: ({ session }) => client.refresh(session.token, 'user').then((r) => r.token),
      save: async ({ key, session }, token) => {
        session.token = token;
        const ttl = session.createdAt + SESSION_TTL_MS - now();
        // The new token serves this call even if the store cannot keep it now (the call may be the write itself).
        if (ttl > 0) await store.putSession(key, session, ttl).catch(() => undefined);
      },
      now,
    });
  }

  /** Runs a call with a valid token; if Concur rejects the token anyway (revoked early), refreshes once and retries. */
  withToken<T>(key: string, session: Session, call: (token: ConcurToken) => Promise<T>): Promise<T> {
    return this.#tokens.withToken({ key, session }, call);
  }
}
