// The Redis store on a Redis Cluster (three masters of Debian's redis-server, started here; test/redis-topology.ts):
// it passes the store's contract, its keys spread over the masters, a nonce claimed by many at once is claimed
// once, and scanAll finds keys on every master (and deleteKeys deletes them through the key prefix).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createRedisStore } from '../../../server/store/redis.ts';
import { createRedisClient, deleteKeys, scanAll } from '../../../server/store/redis-connection.ts';
import type { Store } from '../../../server/store/store.ts';
import { ask, runStoreContract, startCluster, type ClusterTopology } from '../../redis-topology.ts';
import { redisPrefix } from '../../redis.ts';
import { SESSION } from './session-fixture.ts';

const KEY = randomBytes(32);
let cluster: ClusterTopology;
const opened: Store[] = [];

before(async () => {
  cluster = await startCluster();
});
after(async () => {
  await Promise.all(opened.map((s) => s.close()));
  await cluster?.stop();
});

const open = async (prefix: string) => {
  const store = await createRedisStore({ url: cluster.url, key: KEY, prefix });
  opened.push(store);
  return store;
};

/** The keys matching `match` on one master, by a SCAN of that node alone. */
async function keysOn(port: number, match: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = (await ask(port, 'SCAN', cursor, 'MATCH', match, 'COUNT', 1000)) as [string, string[]];
    cursor = next;
    keys.push(...batch);
  } while (cursor !== '0');
  return keys;
}

test("the store's contract passes on a Redis Cluster", async (t) => {
  const result = await runStoreContract(cluster.url);
  t.diagnostic(`contract on ${cluster.url}: ${result.pass} passed, ${result.fail} failed`);
  assert.ok(result.pass > 0 && result.fail === 0 && result.cancelled === 0, result.output);
});

test('sessions spread over the three masters; scanAll finds them on every master and deleteKeys removes them', async () => {
  const prefix = redisPrefix();
  const store = await open(prefix);
  const names = Array.from({ length: 60 }, (_, i) => `k-${i}`);
  await Promise.all(names.map((k) => store.putSession(k, { ...SESSION, loggedInUserId: k }, 60_000)));

  const perNode = await Promise.all(cluster.ports.map((port) => keysOn(port, `${prefix}session:*`)));
  assert.deepEqual(
    perNode.flat().sort(),
    names.map((k) => `${prefix}session:${k}`).sort(),
    'each session once, under the prefix, on one of the masters',
  );
  for (const [i, keys] of perNode.entries())
    assert.ok(
      keys.length > 0,
      `the master on port ${cluster.ports[i]} holds some of the 60 sessions (${perNode.map((k) => k.length).join(', ')})`,
    );
  assert.deepEqual(await store.getSession('k-7'), { ...SESSION, loggedInUserId: 'k-7' });

  const client = createRedisClient(cluster.url, { keyPrefix: prefix, lazyConnect: true });
  try {
    await client.connect();
    const found: string[] = [];
    for await (const batch of scanAll(client, `${prefix}session:*`)) found.push(...batch);
    assert.deepEqual(found.sort(), perNode.flat().sort(), 'scanAll: full names, from every master');
    assert.equal(await deleteKeys(client, found), 60);
  } finally {
    client.disconnect();
  }
  for (const port of cluster.ports) assert.deepEqual(await keysOn(port, `${prefix}session:*`), []);
  assert.equal(await store.getSession('k-7'), undefined);
});

test('many claims of one nonce at once, from two instances, succeed exactly once, whichever master owns it', async () => {
  const prefix = redisPrefix();
  const [a, b] = await Promise.all([open(prefix), open(prefix)]);
  const nonces = Array.from({ length: 12 }, (_, i) => `launch-${i}`);
  const claims = await Promise.all(
    nonces.map((nonce) => Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).claimNonce(nonce, 60_000)))),
  );
  for (const [i, results] of claims.entries())
    assert.equal(results.filter(Boolean).length, 1, `${nonces[i]} is claimed once of ${results.length}`);
  const owners = await Promise.all(cluster.ports.map(async (port) => (await keysOn(port, `${prefix}nonce:*`)).length));
  assert.equal(
    owners.reduce((x, y) => x + y),
    nonces.length,
  );
  assert.ok(owners.filter((n) => n > 0).length >= 2, `the nonces live on more than one master (${owners.join(', ')})`);
  assert.equal(await b.claimNonce('launch-3', 60_000), false, 'a replay is refused');
});
