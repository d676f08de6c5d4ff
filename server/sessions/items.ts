// Reads and writes a session's item: reads with the launch's user token, writes with the token Concur's
// documentation requires for the item (write-rules.ts): the user's, or the company's from its connection.
import type { Session } from './session.ts';
import type { SessionTokens } from './session-tokens.ts';
import type { ConcurToken } from '../concur/client.ts';
import type { ExpenseApi, ItemView, TokenRunner } from '../concur/expense.ts';
import type { CompanyConnection } from '../concur/company-connection.ts';
import { apiBase } from '../concur/hosts.ts';
import { CompanyNotConnected } from '../errors.ts';
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
  /** The company's connection; without one, writes that need the company's token fail closed. */
  company?: CompanyConnection;
  /** CONCUR_API_BASE, when an administrator overrides where Concur's APIs live. */
  apiBase?: string;
}

export function createItemAccess(deps: ItemAccessDeps): ItemAccess {
  const company = <T>(call: (token: ConcurToken) => Promise<T>): Promise<T> =>
    deps.company ? deps.company.withToken(call) : Promise.reject(new CompanyNotConnected());
  const user =
    (key: string, session: Session): TokenRunner =>
    (call) =>
      deps.sessionTokens.withToken(key, session, call);
  return {
    withConcurToken(key, session, call) {
      return deps.sessionTokens.withToken(key, session, (token) =>
        call(token, apiBase(deps.apiBase, token, session.item.base)),
      );
    },
    read(key, session, signal) {
      return deps.expenses.read(session.item, session.fieldId, user(key, session), signal);
    },
    write(key, session, writes, signal) {
      return deps.expenses.write(session.item, { user: user(key, session), company }, writes, signal);
    },
  };
}
