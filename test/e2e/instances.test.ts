// End to end: two connector instances on one Redis behind a load balancer. The launch lands on one, the popup's
// session, search and commit on the other; a replay of the launch is refused on either, also when replays race.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Hono } from 'hono';
import { proxy } from 'hono/proxy';
import { type Browser } from 'playwright-core';
import { loadConfig } from '../../server/config.ts';
import { createLogger } from '../../server/logger.ts';
import { startServer, type RunningServer } from '../../server/serve.ts';
import { ENV, EXPENSE_ID } from '../server/helpers.ts';
import { redisPrefix, redisUrl } from '../redis.ts';
import { startFakeConcur, type FakeConcurServer } from './fake-concur.ts';
import { SANDBOX_COMPANY } from '../../server/sandbox/concur-state.ts';
import { launchChromium, chooseAndClose } from '../chromium.ts';
import { serveOnLoopback } from '../net.ts';

let fake: FakeConcurServer;
let a: RunningServer;
let b: RunningServer;
let balancer: Awaited<ReturnType<typeof serveOnLoopback>> | undefined;
let lb: string;
let browser: Browser;
let env: Record<string, string>;
const COMPANY_CLI = new URL('../../server/cli/company.ts', import.meta.url).pathname;
const run = promisify(execFile);
const JSON_FROM = { accept: 'application/json' };
/** Which instance answered each request through the balancer. */
const served: { path: string; by: 'a' | 'b' }[] = [];

before(async () => {
  fake = await startFakeConcur();
  // The balancer: the launch and the popup's first read go to instance a, everything else to instance b, so the
  // hand-off made on a is claimed on b, and the session made on b is used on both.
  const app = new Hono().all('*', (c) => {
    const url = new URL(c.req.url);
    const by = url.pathname.startsWith('/launchexternalurl/') || url.pathname === '/api/context' ? 'a' : 'b';
    served.push({ path: url.pathname, by });
    const { host: _host, ...headers } = c.req.header();
    headers['x-forwarded-for'] = '127.0.0.1';
    return proxy(`${(by === 'a' ? a : b).url}${url.pathname}${url.search}`, {
      raw: c.req.raw,
      headers,
      redirect: 'manual',
    });
  });
  balancer = await serveOnLoopback(app.fetch);
  lb = balancer.url;
  // Both instances: the balancer's public address, one Redis, one key.
  env = {
    ...ENV,
    PUBLIC_URL: lb,
    STORE_URL: await redisUrl(),
    REDIS_KEY_PREFIX: redisPrefix(),
    TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('hex'),
    CONCUR_TOKEN_BASE: fake.url,
    TRUST_PROXY_HOPS: '1',
  };
  const start = () =>
    startServer(() => loadConfig({ ...env, PORT: '0' }), {
      port: 0,
      host: '127.0.0.1',
      logger: createLogger('silent'),
    });
  [a, b] = await Promise.all([start(), start()]);
  // The company is connected once, on one instance: both find the connection in the shared store.
  await a.deps.company.connect(SANDBOX_COMPANY.id, fake.concur.issueCompanyRequestToken());
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await Promise.all([a?.close(), b?.close()]);
  await balancer?.close();
  await fake?.close();
});

const ACROSS_INSTANCES =
  'launched on one instance, the popup searches and writes through the other; a replay is refused on either';
test(ACROSS_INSTANCES, async () => {
  const query = fake.launch();
  const page = await browser.newPage();
  await page.goto(`${lb}/healthz`);
  const [popup] = await Promise.all([
    page.waitForEvent('popup'),
    page.evaluate(
      (url) => void window.open(url, 'leu', 'popup,width=400,height=400'),
      `${lb}/launchexternalurl/v4/form?${query}`,
    ),
  ]);
  await popup.getByRole('combobox', { name: 'Search values' }).waitFor();
  await chooseAndClose(popup, 'frankfurt', 'PRJ-1042');

  assert.equal(fake.concur.fieldValue(EXPENSE_ID, 'custom12'), 'PRJ-1042', 'Concur holds the value');
  assert.deepEqual(
    [...new Set(served.filter((s) => s.path.startsWith('/launchexternalurl/')).map((s) => s.by))],
    ['a'],
  );
  for (const path of ['/api/session', '/api/search', '/api/commit']) {
    assert.ok(
      served.some((s) => s.path === path && s.by === 'b'),
      `${path} was answered by the other instance`,
    );
  }
  assert.ok(
    served.some((s) => s.path === '/api/context' && s.by === 'a'),
    'the session made on b was used on a',
  );

  for (const instance of [a, b]) {
    const replay = await fetch(`${instance.url}/launchexternalurl/v4/form?${query}`, {
      redirect: 'manual',
      headers: { ...JSON_FROM, 'x-forwarded-for': '198.51.100.1' },
    });
    assert.equal(replay.status, 401);
    assert.equal(((await replay.json()) as { error: { code: string } }).error.code, 'launch_replayed');
  }
  await page.close();
});

test('the same launch sent to both instances at once is accepted exactly once', async () => {
  const query = fake.launch();
  const answers = await Promise.all(
    Array.from({ length: 12 }, (_, i) =>
      fetch(`${(i % 2 ? a : b).url}/launchexternalurl/v4/form?${query}`, {
        redirect: 'manual',
        headers: { ...JSON_FROM, 'x-forwarded-for': '198.51.100.2' },
      }),
    ),
  );
  const statuses = answers.map((r) => r.status).sort();
  assert.deepEqual(statuses, [200, ...Array<number>(11).fill(401)]);
  // Refused by the shared nonce, not later by Concur's one-time authorization code.
  const codes = await Promise.all(
    answers
      .filter((r) => r.status === 401)
      .map(async (r) => ((await r.json()) as { error: { code: string } }).error.code),
  );
  assert.deepEqual([...new Set(codes)], ['launch_replayed']);
});

test('a company added with npm run company on the shared Redis is served by the other instance within seconds', async () => {
  // The administrator's command, with the servers' store: it knows nothing of the running instances.
  const command = (...args: string[]) =>
    run(process.execPath, ['--experimental-strip-types', COMPANY_CLI, ...args], { env: { ...process.env, ...env } });
  const added = JSON.parse((await command('add', 'initech.example', '--json')).stdout) as {
    company: string;
    connectorUsername: string;
    connectorPassword: string;
  };
  const catalog = join(mkdtempSync(join(tmpdir(), 'initech-')), 'projects.csv');
  writeFileSync(catalog, 'code,label\nINI-7,TPS report automation\n');
  await command('set-catalog', 'initech.example', '--field', 'custom12', catalog);
  // Instance b reads the registry every two seconds; it has never been asked about this company.
  const seen = Date.now() + 10_000;
  // Its record as set-catalog left it (b may first read it as add made it, without the catalog).
  const served = () => b.deps.registry.records().some((r) => r.id === added.company && r.catalogs.includes('custom12'));
  while (!served() && Date.now() < seen) await new Promise((r) => setTimeout(r, 100));
  assert.ok(served(), 'b read the new company, with its catalog, from Redis');

  const query = fake.launch({
    signed: { company_domain: 'initech.example' },
    credentials: { username: added.connectorUsername, password: added.connectorPassword },
  });
  const launched = await fetch(`${b.url}/launchexternalurl/v4/form?${query}`, { redirect: 'manual' });
  assert.equal(launched.status, 200);
  const cookie = launched.headers.get('set-cookie')!.split(';')[0]!;
  const { token } = (await (await fetch(`${a.url}/api/session`, { method: 'POST', headers: { cookie } })).json()) as {
    token: string;
  };
  const found = (await (
    await fetch(`${a.url}/api/search?q=tps`, { headers: { authorization: `Bearer ${token}` } })
  ).json()) as { items: { code: string }[] };
  assert.deepEqual(
    found.items.map((i) => i.code),
    ['INI-7'],
    "a, too, serves Initech's own catalog",
  );
});

test('both instances are ready on Redis, and count refused launches together', async () => {
  for (const instance of [a, b]) {
    const ready = await fetch(`${instance.url}/readyz`);
    assert.equal(ready.status, 200);
    assert.equal(((await ready.json()) as { checks: { store: string } }).checks.store, 'ok');
  }
  // 30 refusals a minute per client address (the default): spread over both instances, the next forged launch from
  // that address is refused outright; a correctly signed one still goes through, and another address is not affected.
  const from = { ...JSON_FROM, 'x-forwarded-for': '198.51.100.3' };
  const forged = () => fake.launch({ tamper: { signature: 'AAAA' } });
  for (let i = 0; i < 30; i++) {
    const r = await fetch(`${(i % 2 ? a : b).url}/launchexternalurl/v4/form?${forged()}`, { headers: from });
    assert.equal(r.status, 401);
  }
  const limited = await fetch(`${a.url}/launchexternalurl/v4/form?${forged()}`, { redirect: 'manual', headers: from });
  assert.equal(limited.status, 429);
  assert.ok(Number(limited.headers.get('retry-after')) > 0);
  assert.equal(((await limited.json()) as { error: { code: string } }).error.code, 'rate_limited');
  assert.equal(
    (await fetch(`${b.url}/launchexternalurl/v4/form?${fake.launch()}`, { redirect: 'manual', headers: from })).status,
    200,
  );
  const other = await fetch(`${b.url}/launchexternalurl/v4/form?${forged()}`, {
    redirect: 'manual',
    headers: { ...JSON_FROM, 'x-forwarded-for': '198.51.100.4' },
  });
  assert.equal(other.status, 401);
});
