// One company's view of the store: every key it reads or writes (sessions, hand-offs, nonces, recent picks, learned
// token bases, its connection, rate-limit counters) is kept under its scope, so no request of one company can find
// another's; its audit records carry its id, and it reads only those. The registry (the companies themselves, their
// catalogs) and Connects in progress (whose company is not known until the code is confirmed) are not scoped.
import type { Store, WriteRecord } from './store.ts';

/** `scope` '' is the store itself: the configuration's own company keeps the keys it always had. */
export function scopedStore(store: Store, scope: string, company?: string): Store {
  if (!scope) return store;
  const k = (key: string) => scope + key;
  const mine = (r: WriteRecord) => r.company === company;
  return {
    ...store,
    recordWrite: (record, retentionMs) => store.recordWrite({ ...record, company }, retentionMs),
    writesSince: async (since) => (await store.writesSince(since)).filter(mine),
    claimNonce: (nonce, ttlMs) => store.claimNonce(k(nonce), ttlMs),
    putSession: (key, session, ttlMs) => store.putSession(k(key), session, ttlMs),
    getSession: (key) => store.getSession(k(key)),
    putHandoff: (code, handoff, ttlMs) => store.putHandoff(k(code), handoff, ttlMs),
    takeHandoff: (code) => store.takeHandoff(k(code)),
    peekHandoff: (code) => store.peekHandoff(k(code)),
    pushRecent: (key, code, max) => store.pushRecent(k(key), code, max),
    recent: (key) => store.recent(k(key)),
    rememberTokenBase: (domain, base) => store.rememberTokenBase(k(domain), base),
    tokenBaseFor: (domain) => store.tokenBaseFor(k(domain)),
    getConnection: (name) => store.getConnection(k(name)),
    putConnection: (name, record) => store.putConnection(k(name), record),
    deleteConnection: (name) => store.deleteConnection(k(name)),
    limiter: (name, points, durationS) => store.limiter(k(name), points, durationS),
    // A company's scoped view never closes the store every company shares.
    close: () => Promise.resolve(),
  };
}
