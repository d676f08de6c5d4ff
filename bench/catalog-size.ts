// The largest catalog the connector takes (500,000 rows): load time from a CSV file, memory, and search speed.
// Run: npm run bench:catalog-size
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { loadCatalogFile } from '../server/sources/catalog.ts';
import { generateCatalog, seeded } from './catalog-data.ts';

const SIZE = 500_000;
const dir = mkdtempSync(join(tmpdir(), 'catalog-size-'));
const file = join(dir, 'catalog.csv');
const rows = generateCatalog(SIZE);
const quote = (v: string) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
writeFileSync(
  file,
  `code,label,detail\n${rows.map((r) => [r.code, r.label, r.detail ?? ''].map(quote).join(',')).join('\n')}\n`,
);

global.gc?.();
const heapBefore = process.memoryUsage().heapUsed;
// How long the event loop is held at a time while loading: what a request arriving meanwhile waits at most.
const loop = monitorEventLoopDelay({ resolution: 10 });
loop.enable();
const started = performance.now();
const catalog = await loadCatalogFile(file);
const loadMs = performance.now() - started;
loop.disable();
global.gc?.();
const heapMb = (process.memoryUsage().heapUsed - heapBefore) / 1024 / 1024;

const r = seeded(11);
const queries = Array.from({ length: 200 }, () => {
  const row = r.pick(rows);
  const words = row.label.split(' ');
  return r.next() < 0.4
    ? row.code.slice(0, 6 + Math.floor(r.next() * 4))
    : `${words[0]!.slice(0, 5)} ${words.at(-1)!.slice(0, 4)}`;
});
const warm = performance.now();
for (let i = 0; performance.now() - warm < 1000; i++) catalog.search(queries[i % queries.length]!, { limit: 50 });
const times = queries
  .map((q) => {
    const t = performance.now();
    catalog.search(q, { limit: 50 });
    return performance.now() - t;
  })
  .sort((a, b) => a - b);
console.log(`catalog of ${catalog.size.toLocaleString('en')} rows from CSV (${catalog.problems.length} rows skipped):`);
console.log(
  `  load and index ${(loadMs / 1000).toFixed(1)} s, heap ${heapMb.toFixed(0)} MB` +
    (global.gc ? '' : ' (approximate: run with --expose-gc for exact figures)'),
);
console.log(
  `  longest event-loop pause while loading ${(loop.max / 1e6).toFixed(0)} ms` +
    ` (p99 ${(loop.percentile(99) / 1e6).toFixed(0)} ms): other requests are served meanwhile`,
);
console.log(`  search p50 ${times[100]!.toFixed(2)} ms, p95 ${times[190]!.toFixed(2)} ms over 200 queries`);
rmSync(dir, { recursive: true, force: true });
