// The Store interface: where nonces, launch hand-offs and popup sessions live.
import type { ConcurToken } from '../concur/client.js';
import type { ExpenseEntryRef } from '../concur/item-url.js';

export interface Session {
  /** What the launch named; the only item this session may read or write. */
  item: ExpenseEntryRef;
  fieldId: string;
  companyDomain: string;
  loggedInUserId: string;
  reportOwnerUserId: string;
  languageCode: string;
  isMobile: boolean;
  token: ConcurToken;
  createdAt: number;
}

export interface Store {
  /** Records a nonce; false when it was seen before (a replay). */
  claimNonce(nonce: string, ttlMs: number): Promise<boolean>;
  putSession(key: string, session: Session, ttlMs: number): Promise<void>;
  getSession(key: string): Promise<Session | undefined>;
  /** Stores a one-time hand-off code that leads to a session key. */
  putHandoff(code: string, sessionKey: string, ttlMs: number): Promise<void>;
  /** Returns the session key for a hand-off code and forgets the code. */
  takeHandoff(code: string): Promise<string | undefined>;
}
