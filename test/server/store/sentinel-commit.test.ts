// A Sentinel failover in the middle of the popup's commits (the app on a redis+sentinel:// store, started here from
// Debian's redis-server; test/redis-topology.ts): every commit answers (saved, or a readable 503), every value Concur
// took is in the audit log (or, when the store could not take it, in the error log), the session carries on through
// the new master, and no launch is accepted twice.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { bearer, launchQuery, launchSession, makeApp, postCommit, useFakeConcur, EXPENSE_ID } from '../helpers.ts';
import { startSentinel, type SentinelTopology } from '../../redis-topology.ts';
import { redisPrefix } from '../../redis.ts';
import type { ErrorBody } from '../../../src/contract/api.ts';

const { concur } = useFakeConcur();
let sentinel: SentinelTopology;
before(async () => {
  sentinel = await startSentinel();
});
after(() => sentinel?.stop());

test('commits through a failover: each answered, none lost, and no launch accepted twice', async (t) => {
  const { app, deps, logs } = await makeApp({
    env: {
      STORE_URL: sentinel.url,
      REDIS_KEY_PREFIX: redisPrefix(),
      TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('hex'),
    },
  });
  try {
    const launches = [launchQuery(concur()), launchQuery(concur())];
    const first = await app.request(`/launchexternalurl/v4/form?${launches[0]!.toString()}`);
    assert.equal(first.status, 200);
    const token = await launchSession(app, concur());
    const oldMaster = await sentinel.currentMaster();

    const saved: string[] = [];
    const refused: string[] = [];
    const failover = sentinel.failover();
    failover.catch(() => undefined);
    const started = Date.now();
    let n = 0;
    let afterSwitch = 0;
    // Commits one after another until the new master has answered five in a row.
    while (afterSwitch < 5) {
      assert.ok(Date.now() - started < 45_000, 'the app answers through the new master within 45 s');
      const code = n++ % 2 ? 'PRJ-1042' : 'PRJ-1011';
      const res = await postCommit(app, token, { code });
      if (res.status === 200) saved.push(code);
      else {
        assert.equal(res.status, 503, await res.clone().text());
        assert.equal(((await res.json()) as ErrorBody).error.code, 'store_unavailable');
        refused.push(code);
      }
      const switched = (await sentinel.currentMaster()) !== oldMaster;
      afterSwitch = switched && res.status === 200 ? afterSwitch + 1 : 0;
      await sleep(20);
    }
    await failover;
    assert.ok(saved.length >= 5);

    // Every value Concur took is accounted for: in the audit log, or in the error log when the store could not
    // confirm it kept the record (a record the master took but no replica acknowledged in time is in both).
    const writes = concur().writes.filter((w) => w.itemId === EXPENSE_ID).length;
    const audited = (await deps.store.writesSince(0)).filter((r) => r.result === 'written').map((r) => r.correlationId);
    const logged = logs
      .map((l) => JSON.parse(l) as { audit?: { result: string; correlationId?: string } })
      .filter((l) => l.audit?.result === 'written')
      .map((l) => l.audit!.correlationId);
    const kept = new Set([...audited, ...logged]);
    assert.equal(kept.size, writes, `${writes} writes: ${audited.length} audited, ${logged.length} in the error log`);
    assert.equal(saved.length, writes, 'every value Concur took was answered as saved, and only those');
    t.diagnostic(
      `${n} commits: ${saved.length} saved, ${refused.length} refused with 503; ${writes} writes at Concur, ` +
        `${audited.length} audited, ${logged.length} in the error log`,
    );

    // The session lives on, through the new master; the launch used before the failover stays used.
    assert.equal((await app.request('/api/context', { headers: bearer(token) })).status, 200);
    const replay = await app.request(`/launchexternalurl/v4/form?${launches[0]!.toString()}`);
    assert.equal(replay.status, 401, 'the launch used before the failover is refused');
    const fresh = await app.request(`/launchexternalurl/v4/form?${launches[1]!.toString()}`);
    assert.equal(fresh.status, 200);
    assert.equal((await app.request(`/launchexternalurl/v4/form?${launches[1]!.toString()}`)).status, 401);
  } finally {
    await deps.store.close();
  }
});
