// Operations: /healthz, /readyz, Prometheus metrics that count what happened, and a graceful shutdown that lets a
// write to Concur in flight finish.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { delay, http, passthrough } from 'msw';
import {
  CONCUR,
  ENV,
  EXPENSE_ID,
  bearer,
  launchQuery,
  launchSession,
  makeApp,
  useFakeConcur,
  postCommit,
} from '../helpers.ts';
import { createApp } from '../../../server/app.ts';
import { loadConfig } from '../../../server/config.ts';
import { createLogger } from '../../../server/logger.ts';
import { startServer } from '../../../server/serve.ts';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { redisPrefix, startRedisServer } from '../../redis.ts';
import { SANDBOX_COMPANY } from '../../../server/sandbox/concur-state.ts';

const { msw, concur } = useFakeConcur();

describe('health and readiness', () => {
  test('/healthz says the process is up; /readyz checks the store', async () => {
    const { app, deps } = await makeApp();
    assert.deepEqual(await (await app.request('/healthz')).json(), { status: 'ok' });
    const ready = await app.request('/readyz');
    assert.equal(ready.status, 200);
    assert.deepEqual(await ready.json(), {
      status: 'ready',
      checks: { store: 'ok', configuration: 'ok', shutdown: 'no' },
    });
    const broken = createApp({
      ...deps,
      store: { ...deps.store, recent: () => Promise.reject(new Error('connection refused')) },
    });
    const notReady = await broken.request('/readyz');
    assert.equal(notReady.status, 503);
    assert.equal(
      ((await notReady.json()) as { checks: { store: string } }).checks.store,
      'failing',
      'the reason is logged, not shown',
    );
  });
});

describe('readiness on Redis', () => {
  test('Redis goes away: /readyz says so and a search is a clear 503; Redis comes back: all is well again', async () => {
    const redis = await startRedisServer();
    const { app, deps } = await makeApp({
      env: {
        STORE_URL: redis.url,
        REDIS_KEY_PREFIX: redisPrefix(),
        TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('hex'),
      },
    });
    try {
      const token = await launchSession(app, concur());
      assert.equal((await app.request('/readyz')).status, 200);
      await redis.stop();
      const notReady = await app.request('/readyz');
      assert.equal(notReady.status, 503);
      assert.equal(((await notReady.json()) as { checks: { store: string } }).checks.store, 'failing');
      const search = await app.request('/api/search?q=zurich', { headers: bearer(token) });
      assert.equal(search.status, 503);
      const failure = ((await search.json()) as { error: { code: string; message: string } }).error;
      assert.deepEqual(failure, {
        code: 'store_unavailable',
        message: 'The connector cannot reach its store just now. Try again in a moment.',
      });

      // The same Redis is back (a restart; its data was not saved): the connector reconnects by itself.
      const again = await startRedisServer(Number(new URL(redis.url).port));
      try {
        let status = 0;
        for (let i = 0; i < 50 && status !== 200; i++, await sleep(100)) status = (await app.request('/readyz')).status;
        assert.equal(status, 200);
        assert.equal(
          (await app.request('/api/search?q=zurich', { headers: bearer(await launchSession(app, concur())) })).status,
          200,
        );
      } finally {
        await again.stop();
      }
    } finally {
      await deps.store.close();
      await redis.stop();
    }
  });
});

describe('a store that fails after Concur has the value', () => {
  test('the commit is still answered as saved; the audit record goes to the error log and is counted', async () => {
    const { app, deps, logs } = await makeApp();
    const token = await launchSession(app, concur());
    const failing = () => Promise.reject(new Error("READONLY You can't write against a read only replica"));
    const flaky = createApp({ ...deps, store: { ...deps.store, recordWrite: failing, pushRecent: failing } });
    const commit = await postCommit(flaky, token, { code: 'PRJ-1042' });
    assert.equal(commit.status, 200, await commit.clone().text());
    assert.equal(concur().fieldValue(EXPENSE_ID, 'custom12'), 'PRJ-1042');
    const lost = logs
      .map((l) => JSON.parse(l) as { msg: string; audit?: { result: string; fields: { new: string }[] } })
      .find((l) => l.audit);
    assert.equal(lost?.msg, 'the audit log could not keep this write-back attempt; it is recorded here instead');
    assert.deepEqual([lost?.audit?.result, lost?.audit?.fields[0]?.new], ['written', 'PRJ-1042']);
    assert.match(await (await flaky.request('/metrics')).text(), /^leu_audit_records_lost_total 1$/m);
  });
});

describe('metrics', () => {
  test('count launches by outcome, searches, Concur calls by status, failures and writes', async () => {
    const { app } = await makeApp();
    const token = await launchSession(app, concur());
    const replay = launchQuery(concur());
    assert.equal((await app.request(`/launchexternalurl/v4/form?${replay.toString()}`)).status, 200);
    assert.equal((await app.request(`/launchexternalurl/v4/form?${replay.toString()}`)).status, 401);
    const forged = launchQuery(concur(), { tamper: { report_owner_user_id: '00000000-0000-4000-8000-000000000000' } });
    assert.equal((await app.request(`/launchexternalurl/v4/form?${forged.toString()}`)).status, 401);
    await app.request('/api/search?q=zurich', { headers: bearer(token) });
    msw.use(http.patch(`${CONCUR}/expensereports/*`, () => new Response(null, { status: 503 })));
    const failed = await postCommit(app, token, { code: 'PRJ-1042' });
    assert.equal(failed.status, 502);
    const text = await (await app.request('/metrics')).text();
    const value = (series: string) =>
      Number(new RegExp(`^${series.replace(/[{}"]/g, (m) => `\\${m}`)} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
    assert.equal(value('leu_launches_total{version="4",outcome="accepted"}'), 2);
    assert.equal(value('leu_launches_total{version="4",outcome="launch_replayed"}'), 1);
    assert.equal(value('leu_launches_total{version="4",outcome="launch_signature_invalid"}'), 1);
    assert.equal(value('leu_search_duration_seconds_count{surface="popup",outcome="ok"}'), 1);
    assert.ok(
      value('leu_concur_call_duration_seconds_count{call="expense.entry.patch",status="503"}') >= 2,
      'each attempt is timed',
    );
    assert.equal(value('leu_concur_call_failures_total{call="expense.entry.patch",status="503"}'), 1);
    assert.equal(value('leu_writes_total{outcome="failed"}'), 1);
  });
});

describe('graceful shutdown', () => {
  test('a write in flight finishes and is answered; new connections are refused meanwhile', async () => {
    const server = await startServer((bound) => loadConfig({ ...ENV, PORT: '0', PUBLIC_URL: bound }), {
      port: 0,
      host: '127.0.0.1',
      logger: createLogger('silent'),
      drainMs: 10_000,
    });
    try {
      // This test talks to the real server over loopback; msw lets those requests through.
      msw.use(http.all(`${server.url}/*`, () => passthrough()));
      // Entries are written with the company's token: an administrator connected the fake Concur's company.
      await server.deps.company.connect(
        SANDBOX_COMPANY.id,
        concur().issueCompanyRequestToken(),
        SANDBOX_COMPANY.adminId,
      );
      // Concur takes a while to confirm this write.
      // (A resolver that returns nothing passes the request on to the fake Concur's own handler.)
      msw.use(
        http.patch(`${CONCUR}/expensereports/*`, async () => {
          await delay(800);
        }),
      );
      const launch = await fetch(`${server.url}/launchexternalurl/v4/form?${launchQuery(concur()).toString()}`, {
        redirect: 'manual',
      });
      const cookie = launch.headers.get('set-cookie')!.split(';')[0]!;
      const { token } = (await (
        await fetch(`${server.url}/api/session`, { method: 'POST', headers: { cookie } })
      ).json()) as { token: string };
      const commit = fetch(`${server.url}/api/commit`, {
        method: 'POST',
        headers: { ...bearer(token), 'content-type': 'application/json', connection: 'close' },
        body: JSON.stringify({ code: 'PRJ-1042' }),
      });
      await delay(200);
      let closed = false;
      const closing = server.close().then(() => {
        closed = true;
      });
      await delay(50);
      assert.equal(server.deps.shutdown.aborted, true);
      await assert.rejects(fetch(`${server.url}/healthz`), 'no new connection while draining');
      const answer = await commit;
      assert.equal(answer.status, 200, 'the write in flight was answered');
      assert.equal(concur().fieldValue(EXPENSE_ID, 'custom12'), 'PRJ-1042');
      await closing;
      assert.equal(closed, true);
    } finally {
      await server.close().catch(() => undefined);
    }
  });
});
