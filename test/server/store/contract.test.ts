// One contract for every Store: the in-memory one and SQLite pass the same tests; SQLite also keeps its state
// across a restart, shares nonces between instances on one file, and keeps sessions encrypted at rest.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { createMemoryStore } from '../../../server/store/memory.js';
import { createSqliteStore, type SqliteStore } from '../../../server/store/sqlite.js';
import type { Session, Store } from '../../../server/store/store.js';

const dir = mkdtempSync(join(tmpdir(), 'store-'));
const KEY = randomBytes(32);
const opened: SqliteStore[] = [];
after(() => opened.forEach((s) => s.close()));

let clock = 1_800_000_000_000;
const now = () => clock;
const sqlite = (file = join(dir, `${crypto.randomUUID()}.sqlite`), key = KEY) => {
  const store = createSqliteStore({ file, key, now });
  opened.push(store);
  return store;
};

const SESSION: Session = {
  version: 4, companyDomain: 'acme.com', loggedInUserId: 'u1', languageCode: 'de', isMobile: false, createdAt: 1,
  item: { kind: 'ENTRY', base: 'https://us.api.concursolutions.com', userId: 'u1', context: 'TRAVELER', reportId: 'R1', expenseId: 'E1' } as Session extends { item: infer I } ? I : never,
  fieldId: 'custom12', expenseIds: [], reportOwnerUserId: 'u1', reportOwnerEmployeeId: 'EMP-1',
  token: { accessToken: 'secret-access-token-1234567890', refreshToken: 'secret-refresh-token-0987654321', expiresAt: 2 },
};

for (const [name, make] of [['memory', () => createMemoryStore({ now })], ['sqlite', () => sqlite()]] as [string, () => Store][]) {
  describe(`the ${name} store`, () => {
    test('a nonce is claimed once, also by many claims at the same moment, and again after it expires', async () => {
      const store = make();
      const claims = await Promise.all(Array.from({ length: 50 }, () => store.claimNonce('n-1', 60_000)));
      assert.equal(claims.filter(Boolean).length, 1);
      clock += 61_000;
      assert.equal(await store.claimNonce('n-1', 60_000), true, 'an expired nonce no longer counts');
    });

    test('sessions are kept until they expire; a hand-off is taken once', async () => {
      const store = make();
      await store.putSession('k', SESSION, 1000);
      assert.deepEqual(await store.getSession('k'), SESSION);
      clock += 1001;
      assert.equal(await store.getSession('k'), undefined);
      await store.putHandoff('h', SESSION, 1000);
      assert.deepEqual(await store.takeHandoff('h'), SESSION);
      assert.equal(await store.takeHandoff('h'), undefined);
    });

    test('recent picks: newest first, no duplicates, at most max; token bases by company, any case', async () => {
      const store = make();
      for (const code of ['A', 'B', 'A', 'C', 'D']) await store.pushRecent('u|f', code, 3);
      assert.deepEqual(await store.recent('u|f'), ['D', 'C', 'A']);
      assert.deepEqual(await store.recent('nobody'), []);
      await store.rememberTokenBase('ACME.com', 'https://emea.api.concursolutions.com');
      assert.equal(await store.tokenBaseFor('acme.COM'), 'https://emea.api.concursolutions.com');
    });
  });
}

describe('the sqlite store, beyond the contract', () => {
  test('survives a restart: a session, a used nonce and recent picks are still there', async () => {
    const file = join(dir, 'restart.sqlite');
    const first = sqlite(file);
    await first.putSession('k', SESSION, 60_000);
    assert.equal(await first.claimNonce('used', 60_000), true);
    await first.pushRecent('u|f', 'PRJ-1', 5);
    first.close();
    opened.splice(opened.indexOf(first), 1);
    const second = sqlite(file);
    assert.equal(second.schemaVersion, 2);
    assert.deepEqual(await second.getSession('k'), SESSION);
    assert.equal(await second.claimNonce('used', 60_000), false, 'a replay after the restart is still refused');
    assert.deepEqual(await second.recent('u|f'), ['PRJ-1']);
  });

  test('two instances on one file share nonces: a replay on either is refused', async () => {
    const file = join(dir, 'shared.sqlite');
    const [a, b] = [sqlite(file), sqlite(file)];
    const results = await Promise.all([a.claimNonce('twice', 60_000), b.claimNonce('twice', 60_000)]);
    assert.deepEqual(results.sort(), [false, true]);
  });

  test('sessions are encrypted at rest: no token in the file, and another key reads nothing', async () => {
    const file = join(dir, 'sealed.sqlite');
    const store = sqlite(file);
    await store.putSession('k', SESSION, 60_000);
    store.close();
    opened.splice(opened.indexOf(store), 1);
    const bytes = readFileSync(file).toString('latin1') + readFileSync(`${file}-wal`, { flag: 'a+' }).toString('latin1');
    assert.ok(!bytes.includes('secret-access-token') && !bytes.includes('secret-refresh-token'), 'no token in clear');
    assert.equal(await sqlite(file, randomBytes(32)).getSession('k'), undefined);
    assert.deepEqual(await sqlite(file).getSession('k'), SESSION);
  });
});

describe('STORE_URL=sqlite: a popup session survives a server restart', () => {
  test('launch, restart the server on the same file, then search and commit with the same session; a replay is refused', async () => {
    const { useFakeConcurForRestart } = await import('./restart-helpers.js');
    await useFakeConcurForRestart(join(dir, 'server.sqlite'));
  });
});
