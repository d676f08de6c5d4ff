// The Redis store behind Sentinel (one master, one replica and three Sentinels of Debian's redis-server, started
// here; test/redis-topology.ts): it passes the store's contract, and a failover in the middle of work loses
// nothing the store acknowledged and lets no nonce be claimed twice. Operations during the failover may fail, as
// store_unavailable, within a bounded time; the store then carries on through the new master.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { createRedisStore } from '../../../server/store/redis.ts';
import type { Store } from '../../../server/store/store.ts';
import { ask, info, runStoreContract, startSentinel, until, type SentinelTopology } from '../../redis-topology.ts';
import { redisPrefix } from '../../redis.ts';
import { auditRecord, SESSION } from './session-fixture.ts';

const KEY = randomBytes(32);
let sentinel: SentinelTopology;
const opened: Store[] = [];

before(async () => {
  sentinel = await startSentinel();
});
after(async () => {
  await Promise.all(opened.map((s) => s.close()));
  await sentinel?.stop();
});

const record = (n: number) => auditRecord(Date.now(), n);

/** The longest any one operation may take, failover or not: past it the store hangs, and the test fails. */
const OPERATION_BOUND_MS = 8000;

type Outcome<T> = { ok: true; value: T } | { ok: false; error: string };

/** Runs one store operation: its value, or its error when that is store_unavailable; anything else fails the test. */
async function attempt<T>(what: string, operation: () => Promise<T>): Promise<Outcome<T>> {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took more than ${OPERATION_BOUND_MS} ms`)), OPERATION_BOUND_MS);
  });
  try {
    return { ok: true, value: await Promise.race([operation(), hang]) };
  } catch (error) {
    const e = error as Error & { code?: string; logContext?: { cause?: string } };
    if (e.code !== 'store_unavailable') throw error;
    return { ok: false, error: e.logContext?.cause ?? e.message };
  } finally {
    clearTimeout(timer);
  }
}

test("the store's contract passes behind Sentinel", async (t) => {
  const result = await runStoreContract(sentinel.url);
  t.diagnostic(`contract on ${sentinel.url}: ${result.pass} passed, ${result.fail} failed`);
  assert.ok(result.pass > 0 && result.fail === 0 && result.cancelled === 0, result.output);
});

test('a failover in the middle of work: what the store acknowledged survives, no nonce is accepted twice', async (t) => {
  const prefix = redisPrefix();
  const store = await createRedisStore({ url: sentinel.url, key: KEY, prefix });
  opened.push(store);
  const oldMaster = await sentinel.currentMaster();
  assert.equal(oldMaster, sentinel.masterPort);

  const acknowledged = {
    nonces: [] as string[],
    sessions: [] as number[],
    handoffs: [] as number[],
    audit: [] as number[],
  };
  /** How often each nonce was accepted, over every claim of it. */
  const accepted = new Map<string, number>();
  const unavailable = new Map<string, number>();
  const failed = (error: string) => unavailable.set(error, (unavailable.get(error) ?? 0) + 1);
  let steps = 0;
  let failedSteps = 0;

  /** One round of work: a nonce claimed twice at once, a session, a hand-off and an audit record. */
  const step = async (): Promise<boolean> => {
    const n = steps++;
    const nonce = `launch-${n}`;
    const outcomes = await Promise.all([
      attempt('claimNonce', () => store.claimNonce(nonce, 600_000)),
      attempt('claimNonce', () => store.claimNonce(nonce, 600_000)),
      attempt('putSession', () => store.putSession(`s-${n}`, { ...SESSION, createdAt: n }, 600_000)),
      attempt('putHandoff', () => store.putHandoff(`h-${n}`, { token: `t-${n}` }, 600_000)),
      attempt('recordWrite', () => store.recordWrite(record(n), 86_400_000)),
    ]);
    const [first, second, session, handoff, audit] = outcomes;
    for (const claim of [first, second])
      if (claim.ok && claim.value) accepted.set(nonce, (accepted.get(nonce) ?? 0) + 1);
    if (first.ok && second.ok) acknowledged.nonces.push(nonce);
    if (session.ok) acknowledged.sessions.push(n);
    if (handoff.ok) acknowledged.handoffs.push(n);
    if (audit.ok) acknowledged.audit.push(n);
    for (const outcome of outcomes) if (!outcome.ok) failed(outcome.error);
    const allOk = outcomes.every((o) => o.ok);
    if (!allOk) failedSteps++;
    return allOk;
  };

  // Work before the failover: everything succeeds.
  for (let i = 0; i < 20; i++) assert.ok(await step(), `step ${i} before the failover`);

  // The failover, in the middle of a loop of work that keeps going until the store answers through the new master
  // (and a few rounds more).
  const started = Date.now();
  let failover: Promise<void> | undefined;
  let healthyAfter = 0;
  while (healthyAfter < 10) {
    if (steps === 30) {
      failover = sentinel.failover();
      // Awaited after the loop; until then a failure to start it must not be an unhandled rejection.
      failover.catch(() => undefined);
    }
    const ok = await step();
    const switched = failover !== undefined && (await sentinel.currentMaster()) !== oldMaster;
    healthyAfter = switched && ok ? healthyAfter + 1 : 0;
    assert.ok(
      Date.now() - started < 40_000,
      `the store answers again through the new master within 40 s (${steps} steps)`,
    );
    await sleep(10);
  }
  await failover;
  const newMaster = await sentinel.currentMaster();
  t.diagnostic(
    `failover ${oldMaster} -> ${newMaster} in ${Date.now() - started} ms: ${steps} steps, ${failedSteps} with ` +
      `store_unavailable (${[...unavailable].map(([e, n]) => `${n}× ${e}`).join('; ')})`,
  );
  assert.equal(newMaster, sentinel.replicaPort, 'the Sentinels promoted the replica');
  assert.equal(await info(newMaster, 'replication', 'role'), 'master');
  assert.ok(failedSteps > 0, 'writes were refused while no replica could acknowledge them');
  assert.equal(
    await ask(newMaster, 'EXISTS', `${prefix}session:s-${steps - 1}`),
    1,
    'the store writes to the new master (ioredis followed the Sentinels)',
  );

  // Nothing acknowledged is lost.
  for (const nonce of acknowledged.nonces) {
    const again = await attempt('claimNonce', () => store.claimNonce(nonce, 600_000));
    assert.deepEqual(again, { ok: true, value: false }, `${nonce}, acknowledged, is refused when claimed again`);
  }
  for (const n of acknowledged.sessions)
    assert.deepEqual(await store.getSession(`s-${n}`), { ...SESSION, createdAt: n });
  for (const n of acknowledged.handoffs)
    assert.deepEqual(await store.takeHandoff(`h-${n}`), { token: `t-${n}` }, `hand-off h-${n}`);
  const audit = new Set((await store.writesSince(0)).map((r) => r.correlationId));
  for (const n of acknowledged.audit) assert.ok(audit.has(`corr-${n}`), `audit record ${n}`);

  // A nonce whose claims failed may be claimed now, but only once: never twice, over every attempt.
  for (let n = 0; n < steps; n++) {
    const nonce = `launch-${n}`;
    if (acknowledged.nonces.includes(nonce)) continue;
    const again = await attempt('claimNonce', () => store.claimNonce(nonce, 600_000));
    assert.ok(again.ok, `claiming ${nonce} again works after the failover`);
    if (again.value) accepted.set(nonce, (accepted.get(nonce) ?? 0) + 1);
  }
  const twice = [...accepted].filter(([, count]) => count > 1);
  assert.deepEqual(twice, [], 'no nonce was accepted twice');
  assert.equal(
    acknowledged.nonces.filter((nonce) => accepted.get(nonce) === 1).length,
    acknowledged.nonces.length,
    'every acknowledged nonce was accepted exactly once',
  );
  t.diagnostic(
    `acknowledged and kept: ${acknowledged.nonces.length} nonces, ${acknowledged.sessions.length} sessions, ` +
      `${acknowledged.handoffs.length} hand-offs, ${acknowledged.audit.length} audit records`,
  );
});

test('a write no replica acknowledges fails as store_unavailable, never as a success; a plain redis:// with a replica waits too', async () => {
  const master = await sentinel.currentMaster();
  const replica = master === sentinel.masterPort ? sentinel.replicaPort : sentinel.masterPort;
  await until(
    'the replica to be in sync',
    async () => (await info(replica, 'replication', 'master_link_status')) === 'up',
  );
  const prefix = redisPrefix();
  const [viaSentinel, plain] = await Promise.all([
    createRedisStore({ url: sentinel.url, key: KEY, prefix }),
    // Behind one address, as a managed Redis with a replica is: INFO replication at start says it has one.
    createRedisStore({ url: `redis://127.0.0.1:${master}`, key: KEY, prefix }),
  ]);
  opened.push(viaSentinel, plain);
  assert.equal(await plain.claimNonce('before', 600_000), true);

  // The replica stops replicating: nothing can acknowledge a write now.
  await ask(replica, 'REPLICAOF', 'NO', 'ONE');
  try {
    await until(
      'the master to lose its replica',
      async () => (await info(master, 'replication', 'connected_slaves')) === '0',
    );
    for (const [name, store] of [
      ['via Sentinel', viaSentinel],
      ['plain redis://', plain],
    ] as const) {
      const started = Date.now();
      const claim = await attempt('claimNonce', () => store.claimNonce(`lonely-${name}`, 600_000));
      assert.deepEqual(claim, { ok: false, error: 'no replica acknowledged the write within 1000 ms' }, name);
      assert.ok(Date.now() - started < 2500, `${name}: the claim fails within the WAIT's second`);
      await assert.rejects(store.putHandoff('h', { token: 't' }, 600_000), { code: 'store_unavailable' });
    }
    assert.equal(await viaSentinel.getSession('nobody'), undefined, 'reads still work');
  } finally {
    await ask(replica, 'REPLICAOF', '127.0.0.1', master);
  }
  await until(
    'the replica to be back in sync',
    async () => (await info(replica, 'replication', 'master_link_status')) === 'up',
  );
  assert.equal(await plain.claimNonce('after', 600_000), true);
  assert.equal(await viaSentinel.claimNonce('after', 600_000), false, 'a replay is refused');
  assert.equal(await viaSentinel.claimNonce('before', 600_000), false);
});
