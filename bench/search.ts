// Search speed and ranking quality on a 100,000-row catalog, against Fuse.js in the same run.
// Prints p50/p95 per query for both and their ratio, and top-3 accuracy on the labelled query set.
// Run: npm run bench:search  (Fuse.js takes a few minutes over the 200 queries)
import { readFileSync } from 'node:fs';
import Fuse from 'fuse.js';
import { Catalog } from '../server/sources/catalog.ts';
import { percentile } from './stats.ts';
import { generateCatalog, typedQueries } from './catalog-data.ts';

const SIZE = 100_000;
const QUERIES = 200;
const rows = generateCatalog(SIZE);

/** 200 queries of the kinds people type. */
const makeQueries = () => typedQueries(rows, 3, QUERIES);

function time(label: string, run: (q: string) => unknown, queries: string[]) {
  // The same warm-up for both: queries for at least a second (and at least 20), so the JIT has seen the code.
  const started = performance.now();
  for (let i = 0; i < 20 || performance.now() - started < 1000; i++) run(queries[i % queries.length]!);
  const times = queries.map((q) => {
    const t = performance.now();
    run(q);
    return performance.now() - t;
  });
  times.sort((a, b) => a - b);
  const result = {
    p50: percentile(times, 50),
    p95: percentile(times, 95),
    mean: times.reduce((a, b) => a + b, 0) / times.length,
  };
  console.log(
    `${label.padEnd(22)} p50 ${result.p50.toFixed(2).padStart(8)} ms   ` +
      `p95 ${result.p95.toFixed(2).padStart(8)} ms   mean ${result.mean.toFixed(2).padStart(8)} ms`,
  );
  return result;
}

console.log(`catalog: ${SIZE.toLocaleString('en')} rows, ${QUERIES} queries, Node ${process.version}`);
let t0 = performance.now();
const catalog = new Catalog(rows);
console.log(`index build: ours ${Math.round(performance.now() - t0)} ms`);
t0 = performance.now();
const fuse = new Fuse(rows, {
  keys: [
    { name: 'code', weight: 2 },
    { name: 'label', weight: 1 },
    { name: 'detail', weight: 0.5 },
  ],
  threshold: 0.4,
  ignoreLocation: true,
});
console.log(`index build: Fuse.js ${Math.round(performance.now() - t0)} ms`);

const queries = makeQueries();
console.log('\nspeed (first page of 50 results per query):');
const ours = time('ours', (q) => catalog.search(q, { limit: 50 }), queries);
const theirs = time('Fuse.js 7', (q) => fuse.search(q, { limit: 50 }), queries);
console.log(
  `ratio: ours is ${(theirs.p95 / ours.p95).toFixed(0)}x faster at p95, ` +
    `${(theirs.mean / ours.mean).toFixed(0)}x on the mean (target: p95 <= 5 ms, >= 10x)`,
);

const labelled = JSON.parse(readFileSync(new URL('./labelled-queries.json', import.meta.url), 'utf8')) as {
  kind: string;
  query: string;
  code: string;
}[];
const top3 = (codes: string[], code: string) => codes.slice(0, 3).includes(code);
const kinds = [...new Set(labelled.map((l) => l.kind))];
console.log(`\nranking quality: intended item in the top 3 (${labelled.length} labelled queries):`);
for (const [label, search] of [
  ['ours', (q: string) => catalog.search(q, { limit: 3 }).items.map((i) => i.code)],
  ['Fuse.js 7', (q: string) => fuse.search(q, { limit: 3 }).map((r) => r.item.code)],
] as const) {
  const hits = labelled.map((l) => top3(search(l.query), l.code));
  const byKind = kinds.map((k) => {
    const of = labelled.map((l, i) => [l.kind, hits[i]] as const).filter(([kind]) => kind === k);
    return `${k} ${of.filter(([, h]) => h).length}/${of.length}`;
  });
  const pct = (100 * hits.filter(Boolean).length) / hits.length;
  console.log(`${label.padEnd(22)} ${pct.toFixed(1)}%   (${byKind.join(', ')})`);
  if (label === 'ours') {
    const missed = labelled.filter((_, i) => !hits[i]);
    for (const m of missed) console.log(`    missed: "${m.query}" -> ${m.code}`);
  }
}
console.log('target: ours >= 95%');
