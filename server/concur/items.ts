// Reads and writes a session's item with the right token: the launch's user token (v4) or the company token (v1).
import type { Session } from '../store/store.ts';
import type { ConcurToken } from './client.ts';
import type { ExpenseApi, ItemView } from './expense.ts';
import type { SessionTokens } from './session-tokens.ts';
import type { ExpenseEntriesV3 } from './expense-v3.ts';
import type { CompanyTokens } from './company-token.ts';
import { CompanyTokenMissing } from '../errors.ts';
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
  entriesV3: ExpenseEntriesV3;
  /** CONCUR_API_BASE, and the app's token base (the last resort for a company token without a geolocation). */
  apiBase?: string;
  tokenBase: string;
  /** Absent when no company token is configured. */
  companyTokens?: CompanyTokens;
}

const NO_COMPANY_TOKEN =
  'This Concur field uses the older v1 launch, which needs a company-level token, and none is set up. ' +
  'An administrator must set COMPANY_TOKEN_FILE and TOKEN_ENCRYPTION_KEY and run npm run company-token.';

export function createItemAccess(deps: ItemAccessDeps): ItemAccess {
  const company = () => {
    if (!deps.companyTokens) throw new CompanyTokenMissing(NO_COMPANY_TOKEN);
    return deps.companyTokens;
  };
  return {
    withConcurToken(key, session, call) {
      if (session.version === 1)
        return company().withToken((token) => call(token, deps.apiBase ?? token.geolocation ?? deps.tokenBase));
      return deps.sessionTokens.withToken(key, session, (token) =>
        call(token, deps.apiBase ?? token.geolocation ?? session.item.base),
      );
    },
    read(key, session, signal) {
      if (session.version === 1) return company().withToken((token) => deps.entriesV3.read(session, token, signal));
      return deps.sessionTokens.withToken(key, session, (token) => deps.expenses.read(session, token, signal));
    },
    write(key, session, writes, signal) {
      if (session.version === 1)
        return company().withToken((token) => deps.entriesV3.write(session, token, writes, signal));
      return deps.sessionTokens.withToken(key, session, (token) => deps.expenses.write(session, token, writes, signal));
    },
  };
}
