// Concur's Fetch List callout under sustained load on loopback (autocannon), beside the popup's own search of the
// same 100,000-row catalog, in the same run, against the connector in its own process (the sandbox, LOG_LEVEL=error,
// rate limits off: a load generator is one address). The catalog is the benches' generated projects, with codes
// without a hyphen (Concur reads one as a level delimiter), mapped as a one-level Concur list.
//   popup search     GET /api/search?q=...&limit=20 with a popup session
//   fetch list TEXT  POST /concur/list/v1.2/fetch, search-by TEXT, the same query, num-to-return 20
//   (both again with typed queries, one new query a request), then Fetch List by CODE (a prefix, num-to-return 100)
//   and TEXT * (the first 100 items in code order).
// Target: zero errors across every run (the run exits 1 otherwise). Run: npm run build && npm run bench:fetch-list
// (BENCH_SECONDS, BENCH_CONNECTIONS, BENCH_ROWS)
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import type autocannon from 'autocannon';
import { figuresRow, measure, type Figures } from './autocannon-run.ts';
import { openSession, sandboxLaunch } from '../test/connector-process.ts';
import { bearer } from '../test/server/helpers.ts';
import { SANDBOX_DEFAULTS } from '../server/config.ts';
import { fetchListRequestXml } from '../server/routes/sandbox-fetch-list.ts';
import { startBenchConnector } from './connector.ts';
import { generateCatalog, typedQueries } from './catalog-data.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const ROWS = Number(process.env.BENCH_ROWS ?? 100_000);
const PATH = '/concur/list/v1.2/fetch';

const rows = generateCatalog(ROWS).map((r) => ({ ...r, code: r.code.replace('-', '') }));
const dir = mkdtempSync(join(tmpdir(), 'leu-fetch-list-'));
const quote = (v: string) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
writeFileSync(
  join(dir, 'catalog.csv'),
  `code,label,detail\n${rows.map((r) => [r.code, r.label, r.detail ?? ''].map(quote).join(',')).join('\n')}\n`,
);
writeFileSync(
  join(dir, 'fields.json'),
  JSON.stringify({
    sources: { projects: { type: 'catalog', file: join(dir, 'catalog.csv') } },
    fields: { custom12: 'projects' },
    fetchList: { lists: [{ name: 'Projects', source: 'projects' }] },
  }),
);
const { url } = await startBenchConnector({ FIELDS_FILE: join(dir, 'fields.json') }, dir);
const auth = bearer(await openSession(url, await sandboxLaunch(url)));
const callout = {
  method: 'POST' as const,
  headers: {
    authorization: `Basic ${btoa(`${SANDBOX_DEFAULTS.connectorUsername}:${SANDBOX_DEFAULTS.connectorPassword}`)}`,
    'content-type': 'application/xml; charset=utf-8',
  },
};
const listRequest = (query: string, searchBy: 'TEXT' | 'CODE', limit: number) =>
  fetchListRequestXml({ list: 'Projects', parents: [], query, searchBy, limit });

/** One run; an answer other than 200, a socket error or a timeout counts as an error. */
const run = (name: string, opts: autocannon.Options): Promise<Figures> =>
  measure(name, { connections: CONNECTIONS, duration: SECONDS, ...opts });

// Every answer checked once before it is measured: the same items, or the run would compare different work.
const popupFirst = (await (await fetch(`${url}/api/search?q=frankfurt&limit=20`, { headers: auth })).json()) as {
  items: { code: string }[];
};
const listFirst = await (
  await fetch(`${url}${PATH}`, { ...callout, body: listRequest('frankfurt', 'TEXT', 20) })
).text();
const sameItems = popupFirst.items.every((i) => listFirst.includes(`<code>${i.code}</code>`));

// Warmed up first, both, so neither is measured while the other's code is still being compiled.
await run('warm-up', { url: `${url}/api/search?q=frankfurt&limit=20`, headers: auth, duration: 1 });
await run('warm-up', { url: `${url}${PATH}`, ...callout, body: listRequest('frankfurt', 'TEXT', 20), duration: 1 });

const typed = typedQueries(rows, 11, 2000);
let nextPopup = 0;
let nextList = 0;
const results: Figures[] = [
  await run('popup search', { url: `${url}/api/search?q=frankfurt&limit=20`, headers: auth }),
  await run('fetch list TEXT', { url: `${url}${PATH}`, ...callout, body: listRequest('frankfurt', 'TEXT', 20) }),
  await run('popup search, typed', {
    url,
    headers: auth,
    requests: [
      {
        setupRequest: (req) => ({
          ...req,
          path: `/api/search?q=${encodeURIComponent(typed[nextPopup++ % typed.length]!)}&limit=20`,
        }),
      },
    ],
  }),
  await run('fetch list TEXT, typed', {
    url: `${url}${PATH}`,
    ...callout,
    requests: [
      { setupRequest: (req) => ({ ...req, body: listRequest(typed[nextList++ % typed.length]!, 'TEXT', 20) }) },
    ],
  }),
  await run('fetch list CODE PRJ1234*', {
    url: `${url}${PATH}`,
    ...callout,
    body: listRequest('PRJ1234*', 'CODE', 100),
  }),
  await run('fetch list TEXT *, 100', { url: `${url}${PATH}`, ...callout, body: listRequest('*', 'TEXT', 100) }),
];

const errors = results.reduce((n, f) => n + f.errors, 0);
const ratio = (a: string, b: string) =>
  ((results.find((f) => f.name === a)!.rps / results.find((f) => f.name === b)!.rps) * 100).toFixed(1);
const targets: [string, boolean][] = [
  [`zero errors across every run: ${errors}`, errors === 0],
  [`Fetch List TEXT answers the popup search's items for the same query: ${sameItems}`, sameItems],
];
const lines = [
  `Fetch List beside the popup search, ${ROWS.toLocaleString('en')}-row catalog, loopback: ${CONNECTIONS} ` +
    `connections, ${SECONDS} s per run, ${new Date().toISOString()}`,
  ...results.map(figuresRow),
  `Fetch List TEXT at ${ratio('fetch list TEXT', 'popup search')}% of the popup search's rate ` +
    `(typed queries: ${ratio('fetch list TEXT, typed', 'popup search, typed')}%)`,
  'Targets:',
  ...targets.map(([text, met]) => `  ${met ? 'met    ' : 'NOT MET'}  ${text}`),
];
console.log(lines.join('\n'));
mkdirSync('bench/results', { recursive: true });
writeFileSync(
  'bench/results/fetch-list.json',
  JSON.stringify(
    {
      at: new Date().toISOString(),
      rows: ROWS,
      seconds: SECONDS,
      connections: CONNECTIONS,
      results,
      targets: targets.map(([text, met]) => ({ text, met })),
    },
    null,
    2,
  ),
);
process.exit(targets.every(([, met]) => met) ? 0 : 1);
