// npm run bench: every benchmark in turn (after a build), each one's figures on the terminal and in
// bench/results/<name>.txt. BENCH_ONLY=load,first-screen runs some of them.
import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';

const BENCHES: [name: string, args: string[]][] = [
  ['first-screen', ['--import', 'tsx', 'bench/first-screen.ts']],
  ['keystroke', ['--import', 'tsx', 'bench/keystroke.ts']],
  ['load', ['--import', 'tsx', 'bench/load.ts']],
  ['catalog-size', ['--expose-gc', '--import', 'tsx', 'bench/catalog-size.ts']],
  ['search', ['--import', 'tsx', 'bench/search.ts']],
];
const only = process.env.BENCH_ONLY?.split(',');
mkdirSync('bench/results', { recursive: true });
let failed = 0;
for (const [name, args] of BENCHES.filter(([n]) => !only || only.includes(n))) {
  console.log(`\n== ${name}`);
  const out = createWriteStream(`bench/results/${name}.txt`);
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
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
