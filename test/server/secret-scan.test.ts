// The secret scan itself: a server that sends a secret and logs a token fails its test file, naming both; a find
// in a process that is killed before it can sum up still fails the report.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A node process with the scan preloaded, as npm run test:node runs each test file. */
const SCANNED = ['--experimental-strip-types', '--import', './test/secret-scan.ts'];

test('a secret in an answer (compressed or not) and a token in a log line fail the run, and say where', () => {
  // A run of its own, not a subtest of this one (NODE_TEST_CONTEXT would make it report to this runner).
  const { NODE_TEST_CONTEXT: _nested, ...env } = process.env;
  const run = spawnSync(process.execPath, [...SCANNED, '--test', 'test/fixtures/leaky.fixture.ts'], {
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...env, LEU_SECRET_SCAN_DIR: '' },
  });
  assert.notEqual(run.status, 0, 'the run fails');
  const out = run.stdout + run.stderr;
  assert.match(out, /the secret tes… in the answer to \/leak\n/);
  assert.match(out, /the secret S3c… in the answer to \/leak\.js/, 'found in a compressed answer too');
  assert.match(out, /the Concur token or code sbx-at-01234… in a log line/);
});

test('a find in a process that is killed (as the restart test kills its connector) still fails the report', () => {
  const dir = mkdtempSync(join(tmpdir(), 'leu-scan-'));
  const leak =
    "globalThis.leuSecretTap.log('token sbx-at-0123456789ABCDEF0123456789ABCDEF'); " +
    "process.kill(process.pid, 'SIGKILL')";
  const killed = spawnSync(process.execPath, [...SCANNED, '--eval', leak], {
    encoding: 'utf8',
    env: { ...process.env, LEU_SECRET_SCAN_DIR: dir },
  });
  assert.equal(killed.signal, 'SIGKILL');
  const clean = spawnSync(process.execPath, [...SCANNED, '--eval', "globalThis.leuSecretTap.log('nothing to see')"], {
    env: { ...process.env, LEU_SECRET_SCAN_DIR: dir },
  });
  assert.equal(clean.status, 0);
  const report = spawnSync(process.execPath, ['test/secret-scan-report.mjs', dir], { encoding: 'utf8' });
  assert.equal(report.status, 1, 'the report fails');
  assert.match(report.stdout, /1 secret\(s\) found/);
  assert.match(report.stdout, /the Concur token or code sbx-at-01234… in a log line/);
});

test('what a process started by a test prints is scanned too', () => {
  const dir = mkdtempSync(join(tmpdir(), 'leu-scan-'));
  const run = spawnSync(
    process.execPath,
    [...SCANNED, '--eval', "console.log('the secret is sandbox-client-secret')"],
    { encoding: 'utf8', env: { ...process.env, LEU_SECRET_SCAN_DIR: dir, LEU_SECRET_SCAN_OUTPUT: '1' } },
  );
  assert.equal(run.status, 1, 'the process fails');
  const report = spawnSync(process.execPath, ['test/secret-scan-report.mjs', dir], { encoding: 'utf8' });
  assert.equal(report.status, 1);
  assert.match(report.stdout, /the secret san… on its standard output/);
});
