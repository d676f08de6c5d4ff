// The secret scan itself: a server that sends a secret and logs a token fails its test file, naming both.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

test('a secret in an answer and a token in a log line fail the run, and say where', () => {
  // A run of its own, not a subtest of this one (NODE_TEST_CONTEXT would make it report to this runner).
  const { NODE_TEST_CONTEXT: _nested, ...env } = process.env;
  const run = spawnSync(process.execPath, ['--import', 'tsx', '--import', './test/secret-scan.ts', '--test', 'test/fixtures/leaky.fixture.ts'], { encoding: 'utf8', timeout: 60_000, env: { ...env, LEU_SECRET_SCAN_DIR: '' } });
  assert.notEqual(run.status, 0, 'the run fails');
  const out = run.stdout + run.stderr;
  assert.match(out, /the secret tes… in the answer to \/leak/);
  assert.match(out, /the Concur token or code sbx-at-01234… in a log line/);
});
