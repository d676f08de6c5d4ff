// The embedded default Store: in-process maps with expiry (lost on restart; one instance only).
import { LRUCache } from 'lru-cache';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { settle } from '../settle.ts';
import type { PendingConnect, Store, WriteRecord } from './store.ts';
import type { Handoff, Session } from '../sessions/session.ts';
import type { CompanyConnectionRecord } from '../concur/company-connection.ts';
import type { CompanyRecord, StoredCatalog } from '../companies/record.ts';

export interface MemoryStoreOptions {
  /** Most nonces remembered; sized so eviction cannot happen within the nonce lifetime at realistic rates. */
  maxNonces?: number;
  maxSessions?: number;
  now?: () => number;
}

export function createMemoryStore(opts: MemoryStoreOptions = {}): Store {
  const perf = opts.now ? { now: opts.now } : undefined;
  // ttlResolution 0: expiry is judged against the clock at each read, not a cached reading of it.
  const exact = { perf, ttlResolution: 0 };
  const nonces = new LRUCache<string, true>({ max: opts.maxNonces ?? 1_000_000, ttlAutopurge: false, ...exact });
  const sessions = new LRUCache<string, Session>({ max: opts.maxSessions ?? 100_000, ...exact });
  const handoffs = new LRUCache<string, Handoff>({ max: 100_000, ...exact });
  const tokenBases = new Map<string, string>();
  // No expiry: a connection lives until it is deleted or overwritten. Copies in and out, so no caller shares one.
  const connections = new Map<string, CompanyConnectionRecord>();
  const pending = new LRUCache<string, PendingConnect>({ max: 10_000, ...exact });
  const recents = new LRUCache<string, string[]>({ max: 100_000, ...exact });
  const companies = new Map<string, CompanyRecord>();
  const catalogs = new Map<string, StoredCatalog>();
  const catalogKey = (companyId: string, name: string) => `${companyId}\u0000${name}`;
  let audit: WriteRecord[] = [];
  const clock = opts.now ?? Date.now;
  return {
    recordWrite(record, retentionMs) {
      return settle(() => {
        audit = [...audit.filter((r) => r.at > clock() - retentionMs), record];
      });
    },
    writesSince(since) {
      return settle(() => audit.filter((r) => r.at >= since));
    },
    claimNonce(nonce, ttlMs) {
      return settle(() => {
        if (nonces.has(nonce)) return false;
        nonces.set(nonce, true, { ttl: ttlMs });
        return true;
      });
    },
    putSession(key, session, ttlMs) {
      return settle(() => {
        sessions.set(key, session, { ttl: ttlMs });
      });
    },
    getSession(key) {
      return settle(() => sessions.get(key));
    },
    putHandoff(code, handoff, ttlMs) {
      return settle(() => {
        handoffs.set(code, handoff, { ttl: ttlMs });
      });
    },
    peekHandoff(code) {
      return settle(() => handoffs.get(code));
    },
    takeHandoff(code) {
      return settle(() => {
        const handoff = handoffs.get(code);
        handoffs.delete(code);
        return handoff;
      });
    },
    pushRecent(key, code, max) {
      return settle(() => {
        recents.set(key, [code, ...(recents.get(key) ?? []).filter((c) => c !== code)].slice(0, max));
      });
    },
    recent(key) {
      return settle(() => recents.get(key) ?? []);
    },
    rememberTokenBase(companyDomain, tokenBase) {
      return settle(() => {
        tokenBases.set(companyDomain.toLowerCase(), tokenBase);
      });
    },
    tokenBaseFor(companyDomain) {
      return settle(() => tokenBases.get(companyDomain.toLowerCase()));
    },
    putPending(code, value, ttlMs) {
      return settle(() => {
        pending.set(code, structuredClone(value), { ttl: ttlMs });
      });
    },
    getPending(code) {
      return settle(() => {
        const value = pending.get(code);
        return value && structuredClone(value);
      });
    },
    takePending(code) {
      return settle(() => {
        const value = pending.get(code);
        pending.delete(code);
        return value;
      });
    },
    getConnection(name) {
      return settle(() => {
        const record = connections.get(name);
        return record && structuredClone(record);
      });
    },
    putConnection(name, record) {
      return settle(() => {
        connections.set(name, structuredClone(record));
      });
    },
    deleteConnection(name) {
      return settle(() => {
        connections.delete(name);
      });
    },
    listCompanies() {
      return settle(() => [...companies.values()].map((r) => structuredClone(r)));
    },
    getCompany(id) {
      return settle(() => {
        const record = companies.get(id);
        return record && structuredClone(record);
      });
    },
    putCompany(record) {
      return settle(() => {
        companies.set(record.id, structuredClone(record));
      });
    },
    deleteCompany(id) {
      return settle(() => {
        companies.delete(id);
        for (const key of catalogs.keys()) if (key.startsWith(catalogKey(id, ''))) catalogs.delete(key);
      });
    },
    putCatalog(companyId, name, catalog) {
      return settle(() => {
        catalogs.set(catalogKey(companyId, name), { ...catalog });
      });
    },
    getCatalog(companyId, name) {
      return settle(() => {
        const catalog = catalogs.get(catalogKey(companyId, name));
        return catalog && { ...catalog };
      });
    },
    // Rate-limit counters live in each limiter here, and lapse within their window (a minute).
    forgetScope(scope) {
      return settle(() => {
        if (!scope) throw new Error('forgetScope needs a scope');
        for (const map of [nonces, sessions, handoffs, pending, recents, tokenBases, connections])
          for (const key of [...map.keys()]) if (key.startsWith(scope)) map.delete(key);
      });
    },
    limiter(name, points, durationS) {
      return new RateLimiterMemory({ keyPrefix: name, points, duration: durationS });
    },
    close() {
      return Promise.resolve();
    },
  };
}
