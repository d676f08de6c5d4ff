// npm run company: onboarding prints what the company's administrator enters (and, with --json, one object with
// the connector pair); list and show never print a password; mistakes get one readable line and exit 1.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { loadConfig } from '../../../server/config.ts';
import { createLogger } from '../../../server/logger.ts';
import { startServer } from '../../../server/serve.ts';

const run = promisify(execFile);
const CLI = new URL('../../../server/cli/company.ts', import.meta.url).pathname;
const DOCTOR = new URL('../../../server/cli/doctor.ts', import.meta.url).pathname;

/** The command with a sandbox configuration over its own data folder; its exit code, standard output and error. */
function company(dataDir: string, ...args: string[]) {
  return run(process.execPath, ['--experimental-strip-types', CLI, ...args], {
    env: { PATH: process.env.PATH, DATA_DIR: dataDir, LOG_LEVEL: 'silent' },
  }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => ({ ...error }),
  );
}

test('add prints the registration; --json one object with the pair; list and show keep the password hidden', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'company-cli-'));
  const added = await company(dir, 'add', 'Acme.example', '--name', 'Acme Corp');
  assert.equal(added.code, 0, added.stderr);
  assert.match(added.stdout, /Host Name\s+http:\/\/localhost:8080/);
  assert.match(added.stdout, /\/launchexternalurl\/v4\/form \(Service Version V4\)/);
  assert.match(added.stdout, /User Name\s+leu-\w+/);
  assert.match(added.stdout, /Redirect URL\s+http:\/\/localhost:8080\/oauth\/redirect/);
  assert.match(added.stdout, /verification code: \w{12}/);
  const password = /Password\s+(\S+)/.exec(added.stdout)![1]!;
  assert.ok(password.length >= 10 && password.length <= 50, "within Concur's 10-50 character rule");

  const second = await company(dir, 'add', 'globex.example', '--json');
  const pair = JSON.parse(second.stdout) as { connectorUsername: string; connectorPassword: string; company: string };
  assert.match(pair.connectorUsername, /^leu-\w+$/);
  assert.notEqual(pair.connectorUsername, /User Name\s+(\S+)/.exec(added.stdout)![1], 'user names are unique');
  assert.ok(pair.connectorPassword.length >= 10 && pair.connectorPassword.length <= 50);

  const list = await company(dir, 'list', '--json');
  assert.deepEqual(
    (JSON.parse(list.stdout) as { companyDomain: string }[]).map((c) => c.companyDomain),
    ['acme.example', 'globex.example'],
  );
  const show = await company(dir, 'show', 'acme.example');
  for (const out of [list.stdout, show.stdout]) {
    assert.ok(!out.includes(password) && !out.includes(pair.connectorPassword), 'no password after creation');
  }
  assert.match(show.stdout, /Acme Corp/);
});

test('set-fields, set-catalog and remove; every mistake is one line and exit 1', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'company-cli-'));
  await company(dir, 'add', 'acme.example');
  const files = mkdtempSync(join(tmpdir(), 'company-files-'));
  const catalog = join(files, 'projects.csv');
  writeFileSync(catalog, 'code,label\nP-1,Apollo\nP-1,Again\n,No code\n');
  const set = await company(dir, 'set-catalog', 'acme.example', '--field', 'custom12', catalog);
  assert.equal(set.code, 0, set.stderr);
  assert.match(set.stdout, /1 rows kept for the field custom12 of acme\.example/);
  assert.match(set.stdout, /line 3 skipped: code P-1 appears more than once/);

  const fields = join(files, 'fields.json');
  writeFileSync(
    fields,
    JSON.stringify({ sources: { p: { type: 'catalog', file: 'nope' } }, fields: { custom13: 'p' } }),
  );
  const missing = await company(dir, 'set-fields', 'acme.example', fields);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /names the catalog "nope", which is not set for it/);

  writeFileSync(
    fields,
    JSON.stringify({ sources: { p: { type: 'catalog', file: 'custom12' } }, fields: { custom13: 'p' } }),
  );
  const ok = await company(dir, 'set-fields', 'acme.example', fields);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /custom13/);

  writeFileSync(fields, '{"sources": {}, "fields": {"custom14": "nowhere"}}');
  const wrong = await company(dir, 'set-fields', 'acme.example', fields);
  assert.equal(wrong.code, 1);
  assert.match(wrong.stderr, /fields\.custom14: names the source "nowhere"/);

  for (const [args, message] of [
    [['add', 'acme.example'], /acme\.example is registered already/],
    [['add', 'not a domain'], /is not a company domain/],
    [['show', 'nobody.example'], /No company nobody\.example is registered/],
    [['set-catalog', 'acme.example', join(files, 'absent.csv')], /absent\.csv does not exist/],
    [['frobnicate'], /Usage: npm run company/],
  ] as const) {
    const r = await company(dir, ...args);
    assert.equal(r.code, 1, args.join(' '));
    assert.match(r.stderr, message);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  }

  const removed = await company(dir, 'remove', 'acme.example');
  assert.equal(removed.code, 0, removed.stderr);
  assert.match(removed.stdout, /removed: its tokens, sessions, recent picks and catalogs are forgotten/);
  assert.match((await company(dir, 'list')).stdout, /No company is registered/);
});

test("npm run doctor -- --company checks a registered company's registration against the running server", async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'doctor-company-'));
  const server = await startServer((bound) => loadConfig({ PORT: '0', DATA_DIR: dataDir, PUBLIC_URL: bound }), {
    port: 0,
    host: '127.0.0.1',
    logger: createLogger('silent'),
  });
  t.after(() => server.close());
  const doctor = (...args: string[]) =>
    run(process.execPath, ['--experimental-strip-types', DOCTOR, ...args], {
      env: { PATH: process.env.PATH, DATA_DIR: dataDir, PUBLIC_URL: server.url, LOG_LEVEL: 'silent' },
    }).then(
      ({ stdout }) => ({ code: 0, stdout }),
      (error: { code: number; stdout: string }) => error,
    );
  // The sandbox registers Globex at its start: its own pair, its own Concur company, Gina's launch.
  const globex = await doctor('--company', 'globex.sandbox.example');
  assert.equal(globex.code, 0, globex.stdout);
  assert.match(globex.stdout, /^Company Globex \(globex\.sandbox\.example\), id [a-z0-9]+/);
  assert.match(globex.stdout, /User Name +leu-\w+/);
  assert.match(globex.stdout, /✓ a signed test launch was verified/);
  assert.match(globex.stdout, /✓ company 9100be11-5e5e-4a0b-8c0d-0e0f10111213 is connected/);
  const record = (await server.deps.store.listCompanies())[0]!;
  assert.ok(!globex.stdout.includes(record.connector.password), 'the password is never printed');
  const nobody = await doctor('--company', 'nobody.example');
  assert.equal(nobody.code, 1);
  assert.match(nobody.stdout, /No company nobody\.example is registered/);
});
