// The embedded Store: SQLite (better-sqlite3) in a file, created on first start, with schema migrations; state
// survives a restart. Sessions, hand-offs and company connections (which hold Concur tokens) are encrypted at rest
// with AES-256-GCM.
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { RateLimiterSQLite } from 'rate-limiter-flexible';
import { settle } from '../settle.ts';
import {
  keyCheckValue,
  openConnection,
  openPending,
  openCompany,
  openHandoff,
  openSession,
  sealCompany,
  sealConnection,
  sealPending,
  sealHandoff,
  sealSession,
  verifyKeyCheck,
} from './sealed.ts';
import type { Store, WriteRecord } from './store.ts';

/** Each entry moves the schema one version on (PRAGMA user_version); never edit one that has shipped. */
const MIGRATIONS = [
  `CREATE TABLE nonces (nonce TEXT PRIMARY KEY, expires_at INTEGER NOT NULL);
   CREATE INDEX nonces_expiry ON nonces (expires_at);
   CREATE TABLE sessions (key TEXT PRIMARY KEY, sealed TEXT NOT NULL, expires_at INTEGER NOT NULL);
   CREATE TABLE handoffs (code TEXT PRIMARY KEY, sealed TEXT NOT NULL, expires_at INTEGER NOT NULL);
   CREATE TABLE recent (key TEXT PRIMARY KEY, codes TEXT NOT NULL);
   CREATE TABLE token_bases (company TEXT PRIMARY KEY, base TEXT NOT NULL);`,
  `CREATE TABLE audit (id INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, record TEXT NOT NULL);
   CREATE INDEX audit_at ON audit (at);`,
  // rate-limiter-flexible's own table (RateLimiterSQLite's schema), made here so it exists before the first count.
  `CREATE TABLE rate_limits (key TEXT PRIMARY KEY, points INTEGER NOT NULL DEFAULT 0, expire INTEGER);`,
  `CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);`,
  // Company connections (sealed: they hold the company's refresh token); no expiry.
  `CREATE TABLE connections (name TEXT PRIMARY KEY, sealed TEXT NOT NULL);
   CREATE TABLE pending (code TEXT PRIMARY KEY, sealed TEXT NOT NULL, expires_at INTEGER NOT NULL);`,
  // The company registry (sealed: a company holds its connector password) and its catalogs.
  `CREATE TABLE companies (id TEXT PRIMARY KEY, sealed TEXT NOT NULL);
   CREATE TABLE catalogs (company TEXT NOT NULL, name TEXT NOT NULL, format TEXT NOT NULL, text TEXT NOT NULL,
     updated_at INTEGER NOT NULL, PRIMARY KEY (company, name));`,
];

/** The tables whose keys a company's scope prefixes (forgetScope), each with its key column. */
const SCOPED_TABLES = [
  ['nonces', 'nonce'],
  ['sessions', 'key'],
  ['handoffs', 'code'],
  ['recent', 'key'],
  ['token_bases', 'company'],
  ['connections', 'name'],
  ['pending', 'code'],
  ['rate_limits', 'key'],
] as const;

export interface SqliteStoreOptions {
  file: string;
  /** 32 bytes: encrypts sessions at rest. */
  key: Buffer;
  now?: () => number;
  /** Refuse to open a store written with another key (default true). */
  checkKey?: boolean;
}

export interface SqliteStore extends Store {
  /** The schema version in the file. */
  readonly schemaVersion: number;
}

export function createSqliteStore(opts: SqliteStoreOptions): SqliteStore {
  const now = opts.now ?? Date.now;
  // The folder holds the audit log and sealed sessions: its owner only.
  mkdirSync(dirname(opts.file), { recursive: true, mode: 0o700 });
  const db = new Database(opts.file);
  // WAL: readers do not block the writer, and a crash never leaves a half-written transaction.
  db.pragma('journal_mode = WAL');
  // WAL with synchronous=NORMAL: a committed write survives the process being killed; only a power cut can lose
  // the last moments (SQLite's recommended setting for WAL). FULL would sync the disk on every nonce and session.
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  // Two processes starting at once on one file: the write lock is taken first and the version read under it,
  // so each migration runs once.
  db.transaction(() => {
    for (let v = db.pragma('user_version', { simple: true }) as number; v < MIGRATIONS.length; v++) {
      db.exec(MIGRATIONS[v]!);
      db.pragma(`user_version = ${v + 1}`);
    }
  }).immediate();
  if (opts.checkKey !== false) {
    db.prepare("INSERT OR IGNORE INTO meta (name, value) VALUES ('keycheck', ?)").run(keyCheckValue(opts.key));
    const stored = db.prepare<[], { value: string }>("SELECT value FROM meta WHERE name = 'keycheck'").get()!.value;
    try {
      verifyKeyCheck(opts.key, stored);
    } catch (error) {
      db.close();
      throw error;
    }
  }

  const q = {
    purgeNonces: db.prepare('DELETE FROM nonces WHERE expires_at <= ?'),
    // The primary key makes the claim atomic: of two launches with one nonce, exactly one inserts.
    nonceUsed: db.prepare<[string, number], { used: 1 }>(
      'SELECT 1 AS used FROM nonces WHERE nonce = ? AND expires_at > ?',
    ),
    claimNonce: db.prepare(
      'INSERT INTO nonces (nonce, expires_at) VALUES (?, ?) ON CONFLICT (nonce) ' +
        'DO UPDATE SET expires_at = excluded.expires_at WHERE nonces.expires_at <= ?',
    ),
    putSession: db.prepare(
      'INSERT INTO sessions (key, sealed, expires_at) VALUES (?, ?, ?) ON CONFLICT (key) ' +
        'DO UPDATE SET sealed = excluded.sealed, expires_at = excluded.expires_at',
    ),
    getSession: db.prepare<[string, number], { sealed: string }>(
      'SELECT sealed FROM sessions WHERE key = ? AND expires_at > ?',
    ),
    putHandoff: db.prepare('INSERT OR REPLACE INTO handoffs (code, sealed, expires_at) VALUES (?, ?, ?)'),
    peekHandoff: db.prepare<[string, number], { sealed: string }>(
      'SELECT sealed FROM handoffs WHERE code = ? AND expires_at > ?',
    ),
    takeHandoff: db.prepare<[string, number], { sealed: string }>(
      'DELETE FROM handoffs WHERE code = ? AND expires_at > ? RETURNING sealed',
    ),
    getRecent: db.prepare<[string], { codes: string }>('SELECT codes FROM recent WHERE key = ?'),
    putRecent: db.prepare('INSERT OR REPLACE INTO recent (key, codes) VALUES (?, ?)'),
    putTokenBase: db.prepare('INSERT OR REPLACE INTO token_bases (company, base) VALUES (?, ?)'),
    getTokenBase: db.prepare<[string], { base: string }>('SELECT base FROM token_bases WHERE company = ?'),
    putPending: db.prepare('INSERT OR REPLACE INTO pending (code, sealed, expires_at) VALUES (?, ?, ?)'),
    getPending: db.prepare<[string, number], { sealed: string }>(
      'SELECT sealed FROM pending WHERE code = ? AND expires_at > ?',
    ),
    takePending: db.prepare<[string, number], { sealed: string }>(
      'DELETE FROM pending WHERE code = ? AND expires_at > ? RETURNING sealed',
    ),
    purgePending: db.prepare('DELETE FROM pending WHERE expires_at <= ?'),
    putConnection: db.prepare('INSERT OR REPLACE INTO connections (name, sealed) VALUES (?, ?)'),
    getConnection: db.prepare<[string], { sealed: string }>('SELECT sealed FROM connections WHERE name = ?'),
    deleteConnection: db.prepare('DELETE FROM connections WHERE name = ?'),
    purgeSessions: db.prepare('DELETE FROM sessions WHERE expires_at <= ?'),
    addAudit: db.prepare('INSERT INTO audit (at, record) VALUES (?, ?)'),
    purgeAudit: db.prepare('DELETE FROM audit WHERE at <= ?'),
    auditSince: db.prepare<[number], { record: string }>('SELECT record FROM audit WHERE at >= ? ORDER BY at, id'),
    purgeHandoffs: db.prepare('DELETE FROM handoffs WHERE expires_at <= ?'),
    listCompanies: db.prepare<[], { id: string; sealed: string }>('SELECT id, sealed FROM companies'),
    getCompany: db.prepare<[string], { sealed: string }>('SELECT sealed FROM companies WHERE id = ?'),
    putCompany: db.prepare('INSERT OR REPLACE INTO companies (id, sealed) VALUES (?, ?)'),
    deleteCompany: db.prepare('DELETE FROM companies WHERE id = ?'),
    deleteCatalogs: db.prepare('DELETE FROM catalogs WHERE company = ?'),
    putCatalog: db.prepare(
      'INSERT OR REPLACE INTO catalogs (company, name, format, text, updated_at) VALUES (?, ?, ?, ?, ?)',
    ),
    getCatalog: db.prepare<[string, string], { format: 'csv' | 'json'; text: string; updated_at: number }>(
      'SELECT format, text, updated_at FROM catalogs WHERE company = ? AND name = ?',
    ),
    forgetScope: SCOPED_TABLES.map(([table, column]) =>
      // substr, not LIKE: a scope is a literal prefix, whatever characters it holds.
      db.prepare(`DELETE FROM ${table} WHERE substr(${column}, 1, length(@scope)) = @scope`),
    ),
    // rate-limiter-flexible stamps its rows with the real clock.
    purgeRateLimits: db.prepare('DELETE FROM rate_limits WHERE expire < ?'),
  };
  const purge = () => {
    const t = now();
    q.purgeNonces.run(t);
    q.purgeSessions.run(t);
    q.purgeHandoffs.run(t);
    q.purgePending.run(t);
    q.purgeRateLimits.run(Date.now());
  };
  const timer = setInterval(purge, 60_000);
  timer.unref();

  return {
    schemaVersion: db.pragma('user_version', { simple: true }) as number,
    recordWrite(record, retentionMs) {
      return settle(() => {
        // The audit holds values and ids, no token: it stays readable by the administrator's command.
        q.addAudit.run(record.at, JSON.stringify(record));
        q.purgeAudit.run(now() - retentionMs);
      });
    },
    writesSince(since) {
      return settle(() => q.auditSince.all(since).map((r) => JSON.parse(r.record) as WriteRecord));
    },
    claimNonce(nonce, ttlMs) {
      return settle(() => {
        const t = now();
        // A replay is refused on a read: a write transaction costs several times as much, and floods are replays.
        // The conditional insert still decides, so another process claiming the nonce meanwhile cannot slip past.
        if (q.nonceUsed.get(nonce, t)) return false;
        return q.claimNonce.run(nonce, t + ttlMs, t).changes === 1;
      });
    },
    putSession(key, session, ttlMs) {
      return settle(() => {
        q.putSession.run(key, sealSession(opts.key, `session:${key}`, session), now() + ttlMs);
      });
    },
    getSession(key) {
      return settle(() => {
        const row = q.getSession.get(key, now());
        return row ? openSession(opts.key, `session:${key}`, row.sealed) : undefined;
      });
    },
    putHandoff(code, handoff, ttlMs) {
      return settle(() => {
        q.putHandoff.run(code, sealHandoff(opts.key, `handoff:${code}`, handoff), now() + ttlMs);
      });
    },
    peekHandoff(code) {
      return settle(() => {
        const row = q.peekHandoff.get(code, now());
        return row ? openHandoff(opts.key, `handoff:${code}`, row.sealed) : undefined;
      });
    },
    takeHandoff(code) {
      return settle(() => {
        const row = q.takeHandoff.get(code, now());
        return row ? openHandoff(opts.key, `handoff:${code}`, row.sealed) : undefined;
      });
    },
    pushRecent(key, code, max) {
      return settle(() => {
        db.transaction(() => {
          const codes = JSON.parse(q.getRecent.get(key)?.codes ?? '[]') as string[];
          q.putRecent.run(key, JSON.stringify([code, ...codes.filter((c) => c !== code)].slice(0, max)));
        }).immediate();
      });
    },
    recent(key) {
      return settle(() => JSON.parse(q.getRecent.get(key)?.codes ?? '[]') as string[]);
    },
    rememberTokenBase(companyDomain, tokenBase) {
      return settle(() => {
        q.putTokenBase.run(companyDomain.toLowerCase(), tokenBase);
      });
    },
    tokenBaseFor(companyDomain) {
      return settle(() => q.getTokenBase.get(companyDomain.toLowerCase())?.base);
    },
    putPending(code, value, ttlMs) {
      return settle(() => {
        q.purgePending.run(now());
        q.putPending.run(code, sealPending(opts.key, `pending:${code}`, value), now() + ttlMs);
      });
    },
    getPending(code) {
      return settle(() => {
        const row = q.getPending.get(code, now());
        return row ? openPending(opts.key, `pending:${code}`, row.sealed) : undefined;
      });
    },
    takePending(code) {
      return settle(() => {
        const row = q.takePending.get(code, now());
        return row ? openPending(opts.key, `pending:${code}`, row.sealed) : undefined;
      });
    },
    getConnection(name) {
      return settle(() => {
        const row = q.getConnection.get(name);
        return row ? openConnection(opts.key, `connection:${name}`, row.sealed) : undefined;
      });
    },
    putConnection(name, record) {
      return settle(() => {
        q.putConnection.run(name, sealConnection(opts.key, `connection:${name}`, record));
      });
    },
    deleteConnection(name) {
      return settle(() => {
        q.deleteConnection.run(name);
      });
    },
    listCompanies() {
      return settle(() =>
        q.listCompanies
          .all()
          .map((row) => openCompany(opts.key, row.id, row.sealed))
          .filter((r) => r !== undefined),
      );
    },
    getCompany(id) {
      return settle(() => {
        const row = q.getCompany.get(id);
        return row ? openCompany(opts.key, id, row.sealed) : undefined;
      });
    },
    putCompany(record) {
      return settle(() => {
        q.putCompany.run(record.id, sealCompany(opts.key, record));
      });
    },
    deleteCompany(id) {
      return settle(() => {
        db.transaction(() => {
          q.deleteCompany.run(id);
          q.deleteCatalogs.run(id);
        })();
      });
    },
    putCatalog(companyId, name, catalog) {
      return settle(() => {
        q.putCatalog.run(companyId, name, catalog.format, catalog.text, catalog.updatedAt);
      });
    },
    getCatalog(companyId, name) {
      return settle(() => {
        const row = q.getCatalog.get(companyId, name);
        return row ? { format: row.format, text: row.text, updatedAt: row.updated_at } : undefined;
      });
    },
    forgetScope(scope) {
      return settle(() => {
        if (!scope) throw new Error('forgetScope needs a scope');
        db.transaction(() => q.forgetScope.forEach((statement) => statement.run({ scope })))();
      });
    },
    limiter(name, points, durationS) {
      // rate-limiter-flexible keeps its counters in a table of this file: shared by every process on it.
      return new RateLimiterSQLite({
        storeClient: db,
        storeType: 'better-sqlite3',
        tableName: 'rate_limits',
        tableCreated: true,
        keyPrefix: name,
        points,
        duration: durationS,
      });
    },
    close() {
      return settle(() => {
        clearInterval(timer);
        db.close();
      });
    },
  };
}
