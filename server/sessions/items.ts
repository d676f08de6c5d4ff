// Reads and writes a session's item: reads with the launch's user token, writes with the token Concur's
// documentation requires for the item (write-rules.ts, and request-write-rules.ts for a Concur Request launch's):
// the user's, or the company's from its connection.
import type { Session } from './session.ts';
import type { SessionTokens } from './session-tokens.ts';
import type { ConcurToken } from '../concur/client.ts';
import type { ExpenseApi, ItemFacts, ItemView, TokenRunner } from '../concur/expense.ts';
import { needsCompanyToken, type ReportState } from '../concur/write-rules.ts';
import { REQUEST_NOT_CONNECTED, requestNeedsCompanyToken } from '../concur/request-write-rules.ts';
import type { CompanyConnection } from '../concur/company-connection.ts';
import { apiBase } from '../concur/hosts.ts';
import type { RequestApi } from '../concur/request.ts';
import { CompanyNotConnected } from '../errors.ts';
import type { FieldWrite } from '../../src/contract/api.ts';

export interface ItemAccess {
  /** Runs a call to Concur with this session's token and API base (search sources use it). */
  withConcurToken<T>(key: string, session: Session, call: (token: ConcurToken, base: string) => Promise<T>): Promise<T>;
  /** The item as Concur has it now; `onFacts` hears a search's facts of it first (ExpenseApi.read). */
  read(key: string, session: Session, signal?: AbortSignal, onFacts?: (facts: ItemFacts) => void): Promise<ItemView>;
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
  /** Request v4, for the items of Concur Request launches. */
  requests: RequestApi;
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
  /** A travel request's calls name its owner (signed) when a delegate launched, or with the company's token. */
  const people = (session: Session) => ({ ownerId: session.reportOwnerUserId, loggedInUserId: session.loggedInUserId });
  return {
    withConcurToken(key, session, call) {
      return deps.sessionTokens.withToken(key, session, (token) =>
        call(token, apiBase(deps.apiBase, token, session.item.base)),
      );
    },
    read(key, session, signal, onFacts) {
      if (session.product === 'request')
        return deps.requests.read(session.item, session.fieldId, people(session), user(key, session), signal, onFacts);
      return deps.expenses.read(session.item, session.fieldId, user(key, session), signal, onFacts);
    },
    write(key, session, writes, signal) {
      const tokens = { user: user(key, session), company };
      if (session.product === 'request')
        return deps.requests.write(session.item, people(session), tokens, writes, signal);
      return deps.expenses.write(session.item, tokens, writes, signal);
    },
  };
}

/** Whether writing the session's item needs the company's token: Expense's rules, or Concur Request's. */
export function needsCompanyTokenFor(session: Session, state: ReportState): boolean {
  return session.product === 'request'
    ? requestNeedsCompanyToken(session.item.kind)
    : needsCompanyToken(session.item.kind, state);
}

/** Why a write that needs the company's token cannot be made, in the words of the session's product. */
export const companyNotConnected = (session: Session) =>
  session.product === 'request' ? new CompanyNotConnected(REQUEST_NOT_CONNECTED) : new CompanyNotConnected();
