// The Store interface: where nonces, launch hand-offs, popup sessions, recent picks, the audit log, learned
// geolocations and rate-limit counters live. Implementations: memory (tests), SQLite (embedded default), Redis.
import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import type { ConcurToken } from '../concur/client.ts';
import type { ItemRef } from '../concur/item-url.ts';
import type { FieldRule } from '../concur/write-rules.ts';

interface SessionBase {
  companyDomain: string;
  loggedInUserId: string;
  languageCode: string;
  isMobile: boolean;
  createdAt: number;
  /** What the item said when the popup read it: used by context filters and source URL templates. */
  facts?: {
    date?: string;
    expenseType?: string;
    values?: Record<string, string | null>;
    /** The form's rules for the fields this session writes (lower-case ids), from Concur's form fields. */
    rules?: Record<string, FieldRule>;
  };
}

/** A v4 launch: the item it named, and the user token from its authorization code. */
export interface V4Session extends SessionBase {
  version: 4;
  /** What the launch named; the only item this session may read or write. */
  item: ItemRef;
  fieldId: string;
  /** The launch's expense_ids (allocation launches only). */
  expenseIds: string[];
  reportOwnerUserId: string;
  reportOwnerEmployeeId: string;
  token: ConcurToken;
}

/** A popup session (LEU v1, whose sessions carried no item, was shut down by Concur on 2026-06-23). */
export type Session = V4Session;

/** One attempt to write back to Concur, for the audit log. */
export interface WriteRecord {
  /** Epoch milliseconds. */
  at: number;
  companyDomain: string;
  userId: string;
  /** The item written: HEADER report, ENTRY report/expense, ALLOCATION allocation. */
  item: string;
  /** Each field: the value it held when the popup read the item (null: empty or unknown) and the new one. */
  fields: { field: string; old: string | null; new: string }[];
  result: 'written' | 'failed';
  correlationId?: string;
  /** The failure's code, for a failed write. */
  error?: string;
}

/**
 * The company's connection to Concur (protocol sheet §13): made once by an administrator (App Center or the
 * company-token command), refreshed on a schedule, kept in the store so that every instance uses the same one.
 * The SQLite and Redis stores seal it at rest, like sessions: it holds the company's refresh token.
 */
export interface CompanyConnectionRecord {
  /** The company's UUID (App Center's `id`, the company token's `sub`). */
  companyId: string;
  /** Where the company's tokens are refreshed and its calls go (the token's geolocation). */
  geolocation?: string;
  /** Empty once the connection is disconnected. */
  refreshToken: string;
  /** When Concur said the refresh token expires (epoch ms); it slides with each refresh. */
  refreshExpiresAt?: number;
  /** Epoch ms of the last exchange or refresh: a refresh lease is claimed per value, so one instance refreshes. */
  refreshedAt: number;
  connectedAt: number;
  /** The Concur administrator who connected it (App Center's `userId`), when known. */
  connectedBy?: string;
  /** Set when Concur revoked the connection or an administrator disconnected it. */
  disconnected?: { at: number; reason: string };
}

/**
 * An App Center Connect in progress: what Concur's landing-page link carried, kept until the administrator confirms
 * (the request token is exchanged only then) or for half an hour. Sealed at rest: it holds the request token.
 */
export interface PendingConnect {
  companyId: string;
  requestToken: string;
  /** The administrator's UUID (App Center's userId). */
  userId?: string;
  createdAt: number;
}

export interface Store {
  /** Keeps a write-back attempt for `retentionMs`; older records are dropped as new ones come. */
  recordWrite(record: WriteRecord, retentionMs: number): Promise<void>;
  /** Write-back attempts at or after `since` (epoch ms), oldest first. */
  writesSince(since: number): Promise<WriteRecord[]>;
  /** Records a nonce; false when it was seen before (a replay). */
  claimNonce(nonce: string, ttlMs: number): Promise<boolean>;
  putSession(key: string, session: Session, ttlMs: number): Promise<void>;
  getSession(key: string): Promise<Session | undefined>;
  /** Keeps a launched session under a one-time hand-off code until the popup claims it. */
  putHandoff(code: string, session: Session, ttlMs: number): Promise<void>;
  /** Returns the session for a hand-off code and forgets the code. */
  takeHandoff(code: string): Promise<Session | undefined>;
  /** Remembers a user's pick for a field, most recent first, keeping at most `max`. */
  pushRecent(key: string, code: string, max: number): Promise<void>;
  recent(key: string): Promise<string[]>;
  /** Where Concur's error 16 said a company's users sign in. */
  rememberTokenBase(companyDomain: string, tokenBase: string): Promise<void>;
  tokenBaseFor(companyDomain: string): Promise<string | undefined>;
  /** The company connection kept under `name` (one per connected company). */
  getConnection(name: string): Promise<CompanyConnectionRecord | undefined>;
  putConnection(name: string, record: CompanyConnectionRecord): Promise<void>;
  deleteConnection(name: string): Promise<void>;
  /** Keeps a Connect in progress under a random code. */
  putPending(code: string, pending: PendingConnect, ttlMs: number): Promise<void>;
  getPending(code: string): Promise<PendingConnect | undefined>;
  /** Returns the Connect and forgets the code (so it is confirmed once). */
  takePending(code: string): Promise<PendingConnect | undefined>;
  /**
   * A rate limit whose counters live in this store (shared by every instance on it): `points` per `durationS`
   * seconds per key.
   */
  limiter(name: string, points: number, durationS: number): RateLimiterAbstract;
  /** Lets go of files and connections; the store is not used after. */
  close(): Promise<void>;
}
