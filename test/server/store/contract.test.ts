// One contract for every Store: memory, SQLite and Redis (a real redis-server) pass the same tests. SQLite also
// keeps its state across a restart and shares nonces between instances on one file; SQLite and Redis keep
// sessions encrypted at rest; rate-limit counters are shared by every instance on one store. A server killed
// and restarted on its SQLite file is test/e2e/restart.test.ts.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { Redis } from 'ioredis';
import { RateLimiterRes } from 'rate-limiter-flexible';
import { createMemoryStore } from '../../../server/store/memory.ts';
import { createSqliteStore } from '../../../server/store/sqlite.ts';
import { createRedisStore } from '../../../server/store/redis.ts';
import type { Store } from '../../../server/store/store.ts';
import type { CompanyConnectionRecord } from '../../../server/concur/company-connection.ts';
import { redisPrefix, redisUrl } from '../../redis.ts';
import { auditRecord, SESSION } from './session-fixture.ts';

const dir = mkdtempSync(join(tmpdir(), 'store-'));
const KEY = randomBytes(32);
const opened: Store[] = [];
after(() => Promise.all(opened.map((s) => s.close())));

let clock = 1_800_000_000_000;
const now = () => clock;
const sqlite = (file = join(dir, `${crypto.randomUUID()}.sqlite`), key = KEY) => {
  const store = createSqliteStore({ file, key, now });
  opened.push(store);
  return store;
};
const redis = async (prefix = redisPrefix(), key = KEY) => {
  const store = await createRedisStore({ url: await redisUrl(), key, prefix, now });
  opened.push(store);
  return store;
};

const CONNECTION: CompanyConnectionRecord = {
  companyId: '11111111-2222-3333-4444-555555555555',
  geolocation: 'https://emea.api.concursolutions.com',
  refreshToken: 'secret-company-refresh-token-1357924680',
  refreshExpiresAt: 1_815_000_000_000,
  refreshedAt: 1_800_000_000_000,
  connectedAt: 1_799_000_000_000,
  connectedBy: 'admin-1',
};
/** Only the required fields: the optional ones stay absent (not undefined) through a round trip. */
const BARE_CONNECTION: CompanyConnectionRecord = {
  companyId: '99999999-8888-7777-6666-555555555555',
  refreshToken: '',
  refreshedAt: 3,
  connectedAt: 2,
  disconnected: { at: 4, reason: 'revoked' },
};

const record = auditRecord;

interface Kind {
  name: string;
  make: () => Promise<Store>;
  /** Moves time on: the test clock for stores that read it, real time for Redis (whose expiry is its own). */
  advance: (ms: number) => Promise<void>;
}
const moveClock = (ms: number) => {
  clock += ms;
  return Promise.resolve();
};
const KINDS: Kind[] = [
  { name: 'memory', make: () => Promise.resolve(createMemoryStore({ now })), advance: moveClock },
  { name: 'sqlite', make: () => Promise.resolve(sqlite()), advance: moveClock },
  {
    name: 'redis',
    make: () => redis(),
    advance: async (ms) => {
      clock += ms;
      await sleep(ms);
    },
  },
];

for (const { name, make, advance } of KINDS) {
  describe(`the ${name} store`, () => {
    test('a nonce is claimed once, also by many claims at the same moment, and again after it expires', async () => {
      const store = await make();
      const claims = await Promise.all(Array.from({ length: 50 }, () => store.claimNonce('n-1', 200)));
      assert.equal(claims.filter(Boolean).length, 1);
      assert.equal(await store.claimNonce('n-1', 200), false, 'a replay is refused');
      await advance(250);
      assert.equal(await store.claimNonce('n-1', 200), true, 'an expired nonce no longer counts');
    });

    test('sessions are kept until they expire; a hand-off is taken once, also by many takers at once', async () => {
      const store = await make();
      await store.putSession('k', SESSION, 200);
      assert.deepEqual(await store.getSession('k'), SESSION);
      await advance(250);
      assert.equal(await store.getSession('k'), undefined);
      await store.putHandoff('h', { pending: true }, 1000);
      assert.deepEqual(await store.peekHandoff('h'), { pending: true });
      await store.putHandoff('h', { token: 'the-session-token' }, 1000);
      assert.deepEqual(await store.peekHandoff('h'), { token: 'the-session-token' }, 'a look leaves it in place');
      assert.equal(await store.peekHandoff('nobody'), undefined);
      const taken = await Promise.all(Array.from({ length: 20 }, () => store.takeHandoff('h')));
      assert.deepEqual(taken.filter(Boolean), [{ token: 'the-session-token' }]);
      assert.equal(await store.takeHandoff('h'), undefined);
      assert.equal(await store.peekHandoff('h'), undefined);
    });

    test('recent picks: newest first, no duplicates, at most max; token bases by company, any case', async () => {
      const store = await make();
      for (const code of ['A', 'B', 'A', 'C', 'D']) await store.pushRecent('u|f', code, 3);
      assert.deepEqual(await store.recent('u|f'), ['D', 'C', 'A']);
      assert.deepEqual(await store.recent('nobody'), []);
      await store.rememberTokenBase('ACME.com', 'https://emea.api.concursolutions.com');
      assert.equal(await store.tokenBaseFor('acme.COM'), 'https://emea.api.concursolutions.com');
      assert.equal(await store.tokenBaseFor('other.com'), undefined);
    });

    test(
      'the audit log: records since a moment, oldest first, ' +
        'two alike kept apart, older than the retention dropped',
      async () => {
        const store = await make();
        const t0 = clock;
        await store.recordWrite(record(t0 - 5000, 1), 10_000);
        await store.recordWrite(record(t0 - 1000, 2), 10_000);
        await store.recordWrite(record(t0 - 1000, 2), 10_000);
        await store.recordWrite(
          { ...record(t0, 3), result: 'failed', error: 'concur_unavailable', correlationId: undefined },
          10_000,
        );
        assert.deepEqual(
          (await store.writesSince(t0 - 2000)).map((r) => r.item),
          ['ENTRY R1/E2', 'ENTRY R1/E2', 'ENTRY R1/E3'],
        );
        assert.equal((await store.writesSince(t0)).at(0)?.error, 'concur_unavailable');
        clock += 6000;
        await store.recordWrite(record(clock, 4), 10_000);
        assert.deepEqual(
          (await store.writesSince(0)).map((r) => r.item),
          ['ENTRY R1/E2', 'ENTRY R1/E2', 'ENTRY R1/E3', 'ENTRY R1/E4'],
          'the first is past the retention',
        );
      },
    );

    test('company connections: kept until overwritten or deleted, one per name', async () => {
      const store = await make();
      assert.equal(await store.getConnection('acme'), undefined, 'an unknown name');
      await store.putConnection('acme', CONNECTION);
      await store.putConnection('globex', BARE_CONNECTION);
      assert.deepEqual(await store.getConnection('acme'), CONNECTION);
      const bare = await store.getConnection('globex');
      assert.deepEqual(bare, BARE_CONNECTION, 'disconnected kept, optional fields absent');
      assert.deepEqual(Object.keys(bare).sort(), Object.keys(BARE_CONNECTION).sort());
      await advance(250);
      assert.deepEqual(await store.getConnection('acme'), CONNECTION, 'no time to live');

      const refreshed = { ...CONNECTION, refreshToken: 'secret-company-refresh-token-2', refreshedAt: clock };
      await store.putConnection('acme', refreshed);
      assert.deepEqual(await store.getConnection('acme'), refreshed, 'overwritten');
      assert.deepEqual(await store.getConnection('globex'), BARE_CONNECTION, 'the other name is untouched');

      await store.deleteConnection('acme');
      assert.equal(await store.getConnection('acme'), undefined, 'deleted');
      assert.deepEqual(await store.getConnection('globex'), BARE_CONNECTION, 'the other name is still there');
      await store.deleteConnection('nobody');
    });

    test('a company connection read or written is a copy: changing it changes nothing kept', async () => {
      const store = await make();
      const mine = structuredClone(CONNECTION);
      await store.putConnection('acme', mine);
      mine.refreshToken = 'changed';
      const read = await store.getConnection('acme');
      read!.companyId = 'changed';
      assert.deepEqual(await store.getConnection('acme'), CONNECTION);
    });

    test('a rate limit counts per key and refuses past its points', async () => {
      const store = await make();
      const limiter = store.limiter(`t-${crypto.randomUUID()}`, 3, 60);
      for (let i = 0; i < 3; i++) await limiter.consume('a');
      await assert.rejects(
        limiter.consume('a'),
        (res) => res instanceof RateLimiterRes && res.msBeforeNext > 0 && res.msBeforeNext <= 60_000,
      );
      await limiter.consume('b');
    });
  });
}

describe('the sqlite store, beyond the contract', () => {
  test('survives a restart: a session, a used nonce, recent picks and a connection are still there', async () => {
    const file = join(dir, 'restart.sqlite');
    const first = sqlite(file);
    await first.putSession('k', SESSION, 60_000);
    await first.putConnection('acme', CONNECTION);
    assert.equal(await first.claimNonce('used', 60_000), true);
    await first.pushRecent('u|f', 'PRJ-1', 5);
    await first.close();
    opened.splice(opened.indexOf(first), 1);
    const second = sqlite(file);
    assert.equal(second.schemaVersion, 6);
    assert.deepEqual(await second.getSession('k'), SESSION);
    assert.equal(await second.claimNonce('used', 60_000), false, 'a replay after the restart is still refused');
    assert.deepEqual(await second.recent('u|f'), ['PRJ-1']);
    assert.deepEqual(await second.getConnection('acme'), CONNECTION);
  });

  test('two instances on one file share nonces: a replay on either is refused', async () => {
    const file = join(dir, 'shared.sqlite');
    const [a, b] = [sqlite(file), sqlite(file)];
    const results = await Promise.all([a.claimNonce('twice', 60_000), b.claimNonce('twice', 60_000)]);
    assert.deepEqual(results.sort(), [false, true]);
  });

  test(
    'sessions are encrypted at rest: no token in the file, ' +
      'and a store written with another key is refused at start',
    async () => {
      const file = join(dir, 'sealed.sqlite');
      const store = sqlite(file);
      await store.putSession('k', SESSION, 60_000);
      await store.close();
      opened.splice(opened.indexOf(store), 1);
      const bytes =
        readFileSync(file).toString('latin1') + readFileSync(`${file}-wal`, { flag: 'a+' }).toString('latin1');
      assert.ok(!bytes.includes('secret-access-token') && !bytes.includes('secret-refresh-token'), 'no token in clear');
      assert.throws(
        () => sqlite(file, randomBytes(32)),
        /^ConfigError: TOKEN_ENCRYPTION_KEY: is not the key this store was written with/,
      );
      assert.deepEqual(await sqlite(file).getSession('k'), SESSION);
    },
  );

  test('connections are encrypted at rest: no refresh token in the file; one sealed for another slot does not open', async () => {
    const file = join(dir, 'sealed-connection.sqlite');
    const store = sqlite(file);
    await store.putConnection('acme', CONNECTION);
    await store.putConnection('globex', BARE_CONNECTION);
    await store.close();
    opened.splice(opened.indexOf(store), 1);
    const bytes =
      readFileSync(file).toString('latin1') + readFileSync(`${file}-wal`, { flag: 'a+' }).toString('latin1');
    assert.ok(!bytes.includes('secret-company-refresh-token'), 'no refresh token in clear');
    assert.ok(!bytes.includes(CONNECTION.companyId), 'the whole record is sealed');
    const db = new Database(file);
    try {
      // A value moved to another name does not open: it reads as no connection.
      db.prepare(
        "UPDATE connections SET sealed = (SELECT sealed FROM connections WHERE name = 'acme') WHERE name = 'globex'",
      ).run();
    } finally {
      db.close();
    }
    const reopened = sqlite(file);
    assert.deepEqual(await reopened.getConnection('acme'), CONNECTION);
    assert.equal(await reopened.getConnection('globex'), undefined);
  });
});

describe('the redis store, beyond the contract', () => {
  test('instances on one Redis share nonces, sessions and rate limits', async () => {
    const prefix = redisPrefix();
    const [a, b] = await Promise.all([redis(prefix), redis(prefix)]);
    const claims = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).claimNonce('twice', 60_000)));
    assert.equal(claims.filter(Boolean).length, 1);
    await a.putSession('k', SESSION, 60_000);
    assert.deepEqual(await b.getSession('k'), SESSION);
    const [la, lb] = [a.limiter('shared', 2, 60), b.limiter('shared', 2, 60)];
    await la.consume('ip');
    await lb.consume('ip');
    await assert.rejects(
      la.consume('ip'),
      (res) => res instanceof RateLimiterRes && res.remainingPoints === 0,
      'the third, on either instance, is over the limit',
    );
  });

  test('sessions are encrypted at rest: no token in Redis, and a store written with another key is refused at start', async () => {
    const prefix = redisPrefix();
    const store = await redis(prefix);
    await store.putSession('k', SESSION, 60_000);
    const raw = new Redis(await redisUrl());
    try {
      const text = await raw.get(`${prefix}session:k`);
      assert.ok(
        text && !text.includes('secret-access-token') && !text.includes('secret-refresh-token'),
        'no token in clear',
      );
      assert.ok((await raw.pttl(`${prefix}session:k`)) > 0, 'the session has a time to live');
    } finally {
      raw.disconnect();
    }
    await assert.rejects(
      redis(prefix, randomBytes(32)),
      /^ConfigError: TOKEN_ENCRYPTION_KEY: is not the key this store was written with/,
    );
    assert.deepEqual(await (await redis(prefix)).getSession('k'), SESSION);
  });

  test('connections are encrypted at rest in one hash with no time to live; a damaged one reads as undefined', async () => {
    const prefix = redisPrefix();
    const [a, b] = await Promise.all([redis(prefix), redis(prefix)]);
    await a.putConnection('acme', CONNECTION);
    await a.putConnection('globex', BARE_CONNECTION);
    assert.deepEqual(await b.getConnection('acme'), CONNECTION, 'every instance sees the same connection');
    const raw = new Redis(await redisUrl());
    try {
      const text = await raw.hget(`${prefix}connections`, 'acme');
      assert.ok(
        text && !text.includes('secret-company-refresh-token') && !text.includes(CONNECTION.companyId),
        'no refresh token in clear',
      );
      assert.equal(await raw.pttl(`${prefix}connections`), -1, 'no time to live');
      await raw.hset(`${prefix}connections`, 'globex', text);
    } finally {
      raw.disconnect();
    }
    assert.equal(await b.getConnection('globex'), undefined, 'a value moved to another name does not open');
    await assert.rejects(
      redis(prefix, randomBytes(32)),
      /^ConfigError: TOKEN_ENCRYPTION_KEY: is not the key this store was written with/,
    );
  });

  test('recent picks have a time to live; a Redis that is down is a store_unavailable error, not a crash', async () => {
    const prefix = redisPrefix();
    const store = await redis(prefix);
    await store.pushRecent('u|f', 'PRJ-1', 5);
    const raw = new Redis(await redisUrl());
    try {
      assert.ok((await raw.pttl(`${prefix}recent:u|f`)) > 86_400_000);
    } finally {
      raw.disconnect();
    }
    await store.close();
    opened.splice(opened.indexOf(store), 1);
    await assert.rejects(
      store.getSession('k'),
      (e: Error & { code?: string }) => e.code === 'store_unavailable' && e.message.includes('cannot reach its store'),
    );
  });
});
