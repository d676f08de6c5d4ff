// End to end: the connector as its own process on the default store (SQLite in DATA_DIR) is killed (SIGKILL,
// no shutdown) in the middle of a popup session; started again, the same session searches and commits, the
// launch stays used, and the audit log holds the write.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { loadConfig } from '../../server/config.ts';
import { openStore } from '../../server/store/open.ts';
import { ENV, EXPENSE_ID, bearer } from '../server/helpers.ts';
import { tempDataDir } from '../data-dir.ts';
import { freePort } from '../net.ts';
import { startFakeConcur } from './fake-concur.ts';
import { SANDBOX_COMPANY } from '../../server/sandbox/concur-state.ts';
import { buildDeps } from '../../server/compose.ts';
import { createLogger } from '../../server/logger.ts';
import { Catalog } from '../../server/sources/catalog.ts';
import { openSession, startConnector } from '../connector-process.ts';

const children: ChildProcess[] = [];
after(() => children.forEach((c) => c.kill('SIGKILL')));
const start = async (env: Record<string, string>) => {
  const running = await startConnector(env);
  children.push(running.child);
  return running;
};

test('killed mid-session, the connector comes back with the session, and the commit completes', async () => {
  const fake = await startFakeConcur();
  try {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const dataDir = tempDataDir();
    const { STORE_URL: _memory, ...env } = ENV;
    const config = {
      ...env,
      PORT: String(port),
      HOST: '127.0.0.1',
      PUBLIC_URL: url,
      DATA_DIR: dataDir,
      LOG_DIR: `${dataDir}/logs`,
      LOG_LEVEL: 'warn',
      TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('hex'),
      CONCUR_TOKEN_BASE: fake.url,
    };
    // An administrator connected the company beforehand (npm run company-token does the same, into this store).
    const deps = await buildDeps(loadConfig(config), { logger: createLogger('silent'), catalog: new Catalog([]) });
    await deps.company.connect(SANDBOX_COMPANY.id, fake.concur.issueCompanyRequestToken());
    await deps.store.close();
    let running = await start(config);

    const query = fake.launch();
    const token = await openSession(url, `/launchexternalurl/v4/form?${query}`);
    assert.equal((await fetch(`${url}/api/context`, { headers: bearer(token) })).status, 200);

    // No goodbye: the process is killed as a crash or an OOM kill would.
    running.child.kill('SIGKILL');
    await once(running.child, 'exit');
    assert.equal(
      await fetch(`${url}/healthz`).then(
        () => 'up',
        () => 'down',
      ),
      'down',
    );

    running = await start(config);
    const search = await fetch(`${url}/api/search?q=frankfurt`, { headers: bearer(token) });
    assert.equal(search.status, 200);
    assert.ok(((await search.json()) as { items: { code: string }[] }).items.some((i) => i.code === 'PRJ-1042'));
    const commit = await fetch(`${url}/api/commit`, {
      method: 'POST',
      headers: { ...bearer(token), 'content-type': 'application/json' },
      body: JSON.stringify({ code: 'PRJ-1042' }),
    });
    assert.equal(commit.status, 200, await commit.clone().text());
    assert.equal(fake.concur.fieldValue(EXPENSE_ID, 'custom12'), 'PRJ-1042', 'Concur holds the value');

    const replay = await fetch(`${url}/launchexternalurl/v4/form?${query}`, {
      redirect: 'manual',
      headers: { accept: 'application/json' },
    });
    assert.equal(replay.status, 401, 'the launch used before the crash stays used');

    const store = await openStore(loadConfig(config).store);
    try {
      const writes = await store.writesSince(0);
      assert.deepEqual(
        writes.map((w) => [w.result, w.fields[0]!.new]),
        [['written', 'PRJ-1042']],
      );
    } finally {
      await store.close();
    }
    running.child.kill('SIGTERM');
    const [code] = (await once(running.child, 'exit')) as [number];
    assert.equal(code, 0, `a graceful stop exits 0: ${running.output()}`);
  } finally {
    await fake.close();
  }
});
