// The Store interface: where nonces, launch hand-offs, popup sessions, recent picks, the audit log, learned
// geolocations and rate-limit counters live. Implementations: memory (tests), SQLite (embedded default), Redis.
import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Handoff, Session } from '../sessions/session.ts';
import type { CompanyConnectionRecord } from '../concur/company-connection.ts';
import type { CompanyRecord, StoredCatalog } from '../companies/record.ts';

/** One attempt to write back to Concur, for the audit log. */
export interface WriteRecord {
  /** Epoch milliseconds. */
  at: number;
  /** The registered company whose write it was; absent for the configuration's own company. */
  company?: string;
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
  /** Keeps what a launch's one-time hand-off code stands for until the popup claims it. */
  putHandoff(code: string, handoff: Handoff, ttlMs: number): Promise<void>;
  /** Returns what a hand-off code stands for and forgets the code. */
  takeHandoff(code: string): Promise<Handoff | undefined>;
  /** What a hand-off code stands for, leaving it in place (a claim looks whether its launch is still under way). */
  peekHandoff(code: string): Promise<Handoff | undefined>;
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
  /** Every registered company (the registry), in no particular order. */
  listCompanies(): Promise<CompanyRecord[]>;
  getCompany(id: string): Promise<CompanyRecord | undefined>;
  /** Adds or replaces a company. */
  putCompany(record: CompanyRecord): Promise<void>;
  /** Forgets a company and its catalogs (its scope's keys go with forgetScope). */
  deleteCompany(id: string): Promise<void>;
  putCatalog(companyId: string, name: string, catalog: StoredCatalog): Promise<void>;
  getCatalog(companyId: string, name: string): Promise<StoredCatalog | undefined>;
  /**
   * Forgets every session, hand-off, nonce, recent pick, learned token base, connection, pending Connect and
   * rate-limit counter kept under a scope (a prefix of their keys, see scoped.ts). The audit log is kept.
   */
  forgetScope(scope: string): Promise<void>;
  /** Lets go of files and connections; the store is not used after. */
  close(): Promise<void>;
}
