// A production install, as an operations team makes one: the release (the repository's files without its tests and
// benches, with dist/ built) in a scratch folder, `npm ci --omit=dev --omit=optional`, and `npm run serve`. Nothing of
// this checkout's node_modules is reachable from there, so a runtime dependency kept among the devDependencies, or a
// TypeScript loader the server still needs, fails here. It serves the sandbox (one launch, a search, a commit written
// to its fake Concur) and starts with a real Concur configuration.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '../net.ts';
import { openSession, sandboxLaunch } from '../connector-process.ts';
import { bearer } from '../server/helpers.ts';

const release = mkdtempSync(join(tmpdir(), 'leu-release-'));
const children: ChildProcess[] = [];
after(() => {
  // npm runs the server as its child: the whole process group goes.
  for (const c of children) if (c.pid && c.exitCode === null) process.kill(-c.pid, 'SIGKILL');
  rmSync(release, { recursive: true, force: true });
});

before(() => {
  assert.ok(existsSync('dist/index.html'), 'npm run build first: a release carries dist/');
  const tracked = execFileSync('git', ['ls-files'], { encoding: 'utf8' }).split('\n').filter(Boolean);
  for (const file of tracked.filter((f) => !/^(test|bench|\.ci)\//.test(f))) {
    mkdirSync(dirname(join(release, file)), { recursive: true });
    cpSync(file, join(release, file));
  }
  cpSync('dist', join(release, 'dist'), { recursive: true });
  // --omit=optional too: msw (the sandbox's fake Concur) names vite and typescript as optional peers, and npm keeps a
  // dev dependency that is also an optional one unless both are omitted.
  execFileSync(
    'npm',
    ['ci', '--omit=dev', '--omit=optional', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'],
    { cwd: release, stdio: 'pipe', timeout: 240_000 },
  );
});

/** `npm run serve` in the release folder; resolves once it answers /readyz. */
async function serve(env: Record<string, string>): Promise<{ url: string; output: () => string }> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const dataDir = mkdtempSync(join(release, 'data-'));
  // Only PATH from this test's environment, so nothing of the test's own configuration reaches it.
  const child = spawn('npm', ['run', '--silent', 'serve'], {
    cwd: release,
    env: {
      PATH: process.env.PATH,
      PORT: String(port),
      PUBLIC_URL: url,
      DATA_DIR: dataDir,
      LOG_DIR: join(dataDir, 'logs'),
      LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  children.push(child);
  let output = '';
  child.stdout.on('data', (c: Buffer) => void (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => void (output += c.toString()));
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`npm run serve stopped (exit ${child.exitCode}): ${output}`);
    if (
      await fetch(`${url}/readyz`).then(
        (r) => r.ok,
        () => false,
      )
    )
      return { url, output: () => output };
    await sleep(100);
  }
  throw new Error(`npm run serve did not start: ${output}`);
}

test('the release holds no build, test or bench tooling, and no TypeScript loader', () => {
  const installed = (name: string) => existsSync(join(release, 'node_modules', name));
  for (const name of [
    'vite',
    'tsx',
    'typescript',
    'fuse.js',
    'eslint',
    '@web/test-runner',
    'playwright-core',
    'autocannon',
    'fast-check',
  ]) {
    assert.equal(installed(name), false, `${name} is not installed in production`);
  }
  assert.ok(installed('hono') && installed('better-sqlite3'));
  const pkg = JSON.parse(readFileSync(join(release, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  assert.doesNotMatch(pkg.scripts.serve!, /tsx|ts-node/);
});

test('from a production-only install, the sandbox launches, searches and writes to its Concur', async () => {
  const { url } = await serve({});
  const token = await openSession(url, await sandboxLaunch(url));
  const search = await fetch(`${url}/api/search?q=frankfurt`, { headers: bearer(token) });
  assert.equal(search.status, 200);
  const { items } = (await search.json()) as { items: { code: string }[] };
  assert.ok(items.some((i) => i.code === 'PRJ-1042'));
  const commit = await fetch(`${url}/api/commit`, {
    method: 'POST',
    headers: { ...bearer(token), 'content-type': 'application/json' },
    body: JSON.stringify({ code: 'PRJ-1042' }),
  });
  assert.equal(commit.status, 200);
  const popup = await fetch(`${url}/app/`);
  assert.equal(popup.status, 200, 'the built popup is served');
});

test('from a production-only install, a real Concur configuration starts and is ready', async () => {
  const { url } = await serve({
    CONNECTOR_USERNAME: 'ProdConnectorUser',
    CONNECTOR_PASSWORD: 'Prod-Passw0rd-0123',
    CONCUR_CLIENT_ID: 'prod-client-id',
    CONCUR_CLIENT_SECRET: 'prod-client-secret-0123',
    CONCUR_REDIRECT_URI: 'https://leu.example.com/oauth/redirect',
    CATALOG_FIELDS: 'custom12',
    TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('hex'),
    HOST: '127.0.0.1',
  });
  const ready = await fetch(`${url}/readyz`);
  assert.equal(ready.status, 200);
  const testConnection = await fetch(`${url}/system/v1.0/testconnection`, {
    headers: { authorization: `Basic ${btoa('ProdConnectorUser:Prod-Passw0rd-0123')}` },
  });
  assert.equal(testConnection.status, 200);
});
