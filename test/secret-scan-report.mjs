// After the node tests: what the secret scan (test/secret-scan.ts) looked at in each test process, summed up.
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.argv[2] ?? 'test-output/secret-scan';
const runs = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')));
const sum = (k) => runs.reduce((n, r) => n + (r[k] ?? 0), 0);
// Finds are kept in their own files, written as they happen (a killed process writes no summary).
const findings = readdirSync(dir)
  .filter((f) => f.endsWith('.findings'))
  .flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n').filter(Boolean));
console.log(
  `secret scan: ${sum('responses')} answers (${(sum('responseBytes') / 1e6).toFixed(1)} MB) and ` +
    `${sum('logLines')} log lines from ${runs.length} test processes; ` +
    (findings.length ? `${findings.length} secret(s) found` : 'no secret or token found'),
);
for (const f of [...new Set(findings)].slice(0, 20)) console.log(`  ${f}`);
rmSync(dir, { recursive: true, force: true });
process.exit(findings.length || runs.length === 0 ? 1 : 0);
