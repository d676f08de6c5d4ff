// Runs the browser tests. If a run stalls (the runner's "did not finish within" report: a test page stopped
// responding before any of its tests could time out, seen now and then on this two-core machine under load), the
// suite is run once more and says so. A failed assertion is never retried.
import { spawnSync } from 'node:child_process';

const run = () => {
  const r = spawnSync(
    process.execPath,
    ['node_modules/@web/test-runner/dist/bin.js', '--config', 'web-test-runner.config.mjs'],
    { encoding: 'utf8' },
  );
  process.stdout.write(r.stdout);
  process.stderr.write(r.stderr);
  return r;
};

let result = run();
if (result.status !== 0 && /did not finish within/.test(result.stdout + result.stderr)) {
  console.log('\nA browser test page stalled (not a failed assertion); running the browser tests once more.\n');
  result = run();
}
process.exit(result.status ?? 1);
