// The registry in every store (memory, SQLite, Redis): companies and their catalogs kept and read back, the
// connector password sealed at rest, and a company's scope forgotten whole (its audit records kept), without
// touching another company's keys or the configuration's own.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { createMemoryStore } from '../../../server/store/memory.ts';
import { createSqliteStore } from '../../../server/store/sqlite.ts';
import { createRedisStore } from '../../../server/store/redis.ts';
import { scopedStore } from '../../../server/store/scoped.ts';
import type { Store } from '../../../server/store/store.ts';
import type { Session } from '../../../server/sessions/session.ts';
import { companyScope, type CompanyRecord } from '../../../server/companies/record.ts';
import { redisPrefix, redisUrl } from '../../redis.ts';
import { loadConfig } from '../../../server/config.ts';
import { runAudit } from '../../../server/audit.ts';
import { ENV } from '../helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'registry-'));
const KEY = randomBytes(32);
const opened: Store[] = [];
after(() => Promise.all(opened.map((s) => s.close())));

const PASSWORD = 'registry-connector-password-2468';
const company = (id: string, domain: string): CompanyRecord => ({
  id,
  domain,
  displayName: domain,
  connector: { username: `leu-${id}`, password: PASSWORD },
  catalogs: [''],
  createdAt: 1,
  updatedAt: 2,
});
const SESSION = { version: 4, companyDomain: 'a.example', fieldId: 'custom12' } as unknown as Session;

const KINDS: { name: string; make: () => Promise<Store>; raw: (store: Store) => Promise<string> }[] = [
  { name: 'memory', make: () => Promise.resolve(createMemoryStore()), raw: () => Promise.resolve('') },
  {
    name: 'sqlite',
    make: () => {
      const file = join(dir, `${crypto.randomUUID()}.sqlite`);
      const store = Object.assign(createSqliteStore({ file, key: KEY }), { file });
      opened.push(store);
      return Promise.resolve(store);
    },
    raw: (store) => Promise.resolve(readFileSync((store as unknown as { file: string }).file, 'latin1')),
  },
  {
    name: 'redis',
    make: async () => {
      const prefix = redisPrefix();
      const store = Object.assign(await createRedisStore({ url: await redisUrl(), key: KEY, prefix }), { prefix });
      opened.push(store);
      return store;
    },
    raw: async (store) => {
      const redis = new Redis(await redisUrl());
      try {
        return JSON.stringify(await redis.hgetall(`${(store as unknown as { prefix: string }).prefix}companies`));
      } finally {
        redis.disconnect();
      }
    },
  },
];

for (const { name, make, raw } of KINDS) {
  describe(`the registry in the ${name} store`, () => {
    test('companies and catalogs are kept, listed, replaced and deleted; the password is sealed at rest', async () => {
      const store = await make();
      await store.putCompany(company('aaaaaa1', 'a.example'));
      await store.putCompany(company('bbbbbb2', 'b.example'));
      await store.putCatalog('aaaaaa1', '', { format: 'csv', text: 'code,label\nA-1,Alpha\n', updatedAt: 3 });
      await store.putCatalog('aaaaaa1', 'custom12', { format: 'json', text: '[]', updatedAt: 4 });
      assert.deepEqual((await store.listCompanies()).map((r) => r.domain).sort(), ['a.example', 'b.example']);
      assert.equal((await store.getCompany('aaaaaa1'))?.connector.password, PASSWORD);
      assert.equal((await store.getCatalog('aaaaaa1', ''))?.text, 'code,label\nA-1,Alpha\n');
      assert.equal((await store.getCatalog('aaaaaa1', 'custom12'))?.format, 'json');
      assert.equal(await store.getCatalog('bbbbbb2', ''), undefined, "one company's catalog is not another's");
      assert.ok(!(await raw(store)).includes(PASSWORD), 'the connector password is not readable at rest');

      await store.putCompany({ ...company('aaaaaa1', 'a.example'), displayName: 'Alpha', updatedAt: 5 });
      assert.equal((await store.getCompany('aaaaaa1'))?.displayName, 'Alpha');
      await store.deleteCompany('aaaaaa1');
      assert.equal(await store.getCompany('aaaaaa1'), undefined);
      assert.equal(await store.getCatalog('aaaaaa1', ''), undefined, 'its catalogs go with it');
      assert.deepEqual(
        (await store.listCompanies()).map((r) => r.id),
        ['bbbbbb2'],
      );
    });

    test("forgetting a company's scope removes its keys only, and keeps every audit record", async () => {
      const store = await make();
      const a = scopedStore(store, companyScope('aaaaaa1'), 'aaaaaa1');
      const b = scopedStore(store, companyScope('bbbbbb2'), 'bbbbbb2');
      for (const s of [store, a, b]) {
        await s.putSession('key-1', SESSION, 60_000);
        await s.putHandoff('code-1', { token: 'token-1' }, 60_000);
        await s.pushRecent('recent-1', 'PRJ-1', 5);
        await s.rememberTokenBase('a.example', 'https://eu2.api.concursolutions.com');
        assert.equal(await s.claimNonce('nonce-1', 60_000), true, 'each scope has its own nonces');
        await s.recordWrite(
          { at: Date.now(), companyDomain: 'a.example', userId: 'u', item: 'ENTRY', fields: [], result: 'written' },
          86_400_000,
        );
      }
      assert.equal((await a.writesSince(0)).length, 1, 'a company reads only its own audit records');
      await store.forgetScope(companyScope('aaaaaa1'));
      assert.equal(await a.getSession('key-1'), undefined);
      assert.equal(await a.takeHandoff('code-1'), undefined);
      assert.deepEqual(await a.recent('recent-1'), []);
      assert.equal(await a.tokenBaseFor('a.example'), undefined);
      assert.equal(await a.claimNonce('nonce-1', 60_000), true);
      for (const kept of [store, b]) {
        assert.ok(await kept.getSession('key-1'), 'other scopes keep their sessions');
        assert.deepEqual(await kept.recent('recent-1'), ['PRJ-1']);
        assert.equal(await kept.tokenBaseFor('a.example'), 'https://eu2.api.concursolutions.com');
        assert.equal(await kept.claimNonce('nonce-1', 60_000), false);
      }
      assert.equal((await store.writesSince(0)).length, 3, 'the audit log keeps every record');
      assert.equal((await a.writesSince(0)).length, 1);
    });
  });
}

test("npm run audit -- --company shows one company's write-back attempts", async () => {
  const file = join(dir, 'audit.sqlite');
  const store = createSqliteStore({ file, key: KEY });
  const record = (item: string) => ({
    at: Date.now(),
    companyDomain: 'x.example',
    userId: 'u1',
    item,
    fields: [{ field: 'custom12', old: null, new: item }],
    result: 'written' as const,
  });
  await store.recordWrite(record('OWN'), 86_400_000);
  await scopedStore(store, companyScope('aaaaaa1'), 'aaaaaa1').recordWrite(record('ALPHA'), 86_400_000);
  await scopedStore(store, companyScope('bbbbbb2'), 'bbbbbb2').recordWrite(record('BETA'), 86_400_000);
  await store.close();
  const config = loadConfig({ ...ENV, STORE_URL: `sqlite:${file}`, TOKEN_ENCRYPTION_KEY: KEY.toString('hex') });
  const lines = async (...args: string[]) => (await runAudit(config, ['--since', '1d', ...args])).lines.join('\n');
  assert.match(await lines(), /OWN[\s\S]*ALPHA[\s\S]*BETA/);
  const alpha = await lines('--company', 'aaaaaa1');
  assert.match(alpha, /\[aaaaaa1\] x\.example u1 {2}ALPHA/);
  assert.doesNotMatch(alpha, /OWN|BETA/);
  assert.doesNotMatch(await lines('--company', 'default'), /ALPHA|BETA/);
  assert.match(await lines('--company', 'Not An Id!'), /--company takes a company id/);
});
