// Reads and writes a session's item with the launch's user token.
import type { Session } from '../store/store.ts';
import type { ConcurToken } from './client.ts';
import type { ExpenseApi, ItemView } from './expense.ts';
import type { SessionTokens } from './session-tokens.ts';
import type { FieldWrite } from '../../src/contract/api.ts';

export interface ItemAccess {
  /** Runs a call to Concur with this session's token and API base (search sources use it). */
  withConcurToken<T>(key: string, session: Session, call: (token: ConcurToken, base: string) => Promise<T>): Promise<T>;
  read(key: string, session: Session, signal?: AbortSignal): Promise<ItemView>;
  /** Writes the given custom fields of the session's item in one call. */
  write(
    key: string,
    session: Session,
    writes: readonly FieldWrite[],
    signal?: AbortSignal,
  ): Promise<{ correlationId: string }>;
}

export interface ItemAccessDeps {
  expenses: ExpenseApi;
  sessionTokens: SessionTokens;
  /** CONCUR_API_BASE, when an administrator overrides where Concur's APIs live. */
  apiBase?: string;
}

export function createItemAccess(deps: ItemAccessDeps): ItemAccess {
  return {
    withConcurToken(key, session, call) {
      return deps.sessionTokens.withToken(key, session, (token) =>
        call(token, deps.apiBase ?? token.geolocation ?? session.item.base),
      );
    },
    read(key, session, signal) {
      return deps.sessionTokens.withToken(key, session, (token) => deps.expenses.read(session, token, signal));
    },
    write(key, session, writes, signal) {
      return deps.sessionTokens.withToken(key, session, (token) => deps.expenses.write(session, token, writes, signal));
    },
  };
}
