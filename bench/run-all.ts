// npm run bench: every benchmark in turn (after a build), each one's figures on the terminal and in
// bench/results/<name>.txt. The benchmarks are package.json's bench:<name> scripts; BENCH_ONLY=load,first-screen
// runs some of them.
import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync } from 'node:fs';

const scripts = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }).scripts;
const BENCHES = Object.keys(scripts)
  .filter((s) => s.startsWith('bench:'))
  .map((s) => s.slice('bench:'.length));
const only = process.env.BENCH_ONLY?.split(',');
mkdirSync('bench/results', { recursive: true });
let failed = 0;
for (const name of BENCHES.filter((n) => !only || only.includes(n))) {
  console.log(`\n== ${name}`);
  const out = createWriteStream(`bench/results/${name}.txt`);
  const child = spawn('npm', ['run', '--silent', `bench:${name}`], { stdio: ['ignore', 'pipe', 'inherit'] });
  child.stdout.on('data', (chunk: Buffer) => {
    process.stdout.write(chunk);
    out.write(chunk);
  });
  const code = await new Promise<number>((resolve) => child.on('exit', (c) => resolve(c ?? 1)));
  out.end();
  if (code !== 0) {
    failed++;
    console.log(`(${name} exited with ${code})`);
  }
}
process.exit(failed ? 1 : 0);
