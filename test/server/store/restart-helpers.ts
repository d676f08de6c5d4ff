// The restart scenario for STORE_URL=sqlite, over real HTTP against msw's fake Concur.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { http, passthrough } from 'msw';
import { setupServer } from 'msw/node';
import { CLIENT, CONCUR, ENV, EXPENSE_ID, bearer, launchQuery } from '../helpers.js';
import { loadConfig } from '../../../server/config.js';
import { createLogger, startServer } from '../../../server/serve.js';
import { SandboxConcur } from '../../../server/sandbox/concur-state.js';
import { concurHandlers } from '../../../server/sandbox/concur-handlers.js';

export async function useFakeConcurForRestart(file: string) {
  const concur = new SandboxConcur({ base: CONCUR, clientId: CLIENT.id, clientSecret: CLIENT.secret, redirectUri: CLIENT.redirect });
  const msw = setupServer(http.all(/^http:\/\/127\.0\.0\.1:\d+\//, () => passthrough()), ...concurHandlers(concur));
  msw.listen({ onUnhandledRequest: 'error' });
  const env = { ...ENV, STORE_URL: `sqlite:${file}`, TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('hex') };
  const start = () => startServer((bound) => loadConfig({ ...env, PORT: '0', PUBLIC_URL: bound }), { port: 0, host: '127.0.0.1', logger: createLogger('silent') });
  try {
    let server = await start();
    const query = launchQuery(concur);
    const launch = await fetch(`${server.url}/launchexternalurl/v4/form?${query}`, { redirect: 'manual' });
    assert.equal(launch.status, 303);
    const cookie = launch.headers.get('set-cookie')!.split(';')[0]!;
    const { token } = (await (await fetch(`${server.url}/api/session`, { method: 'POST', headers: { cookie } })).json()) as { token: string };
    await server.close();

    // The popup carries on against the restarted server (another port: the state is in the file).
    server = await start();
    try {
      const search = await fetch(`${server.url}/api/search?q=frankfurt`, { headers: bearer(token) });
      assert.equal(search.status, 200);
      const commit = await fetch(`${server.url}/api/commit`, { method: 'POST', headers: { ...bearer(token), 'content-type': 'application/json' }, body: JSON.stringify({ code: 'PRJ-1042' }) });
      assert.equal(commit.status, 200, await commit.clone().text());
      assert.equal(concur.fieldValue(EXPENSE_ID, 'custom12'), 'PRJ-1042');
      const replay = await fetch(`${server.url}/launchexternalurl/v4/form?${query}`, { redirect: 'manual' });
      assert.equal(replay.status, 401, 'the nonce used before the restart is still refused');
    } finally {
      await server.close();
    }
  } finally {
    msw.close();
  }
}
