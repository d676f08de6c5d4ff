// Sustained load on loopback (autocannon) against the connector in its own process, on the sandbox (its fake
// Concur answers the sign-in and the writes) and the default SQLite store:
//   launch        a fresh signed launch each time: signature, nonce, sign-in with the authorization code, hand-off
//   verification  the same launch again: signature checked, the nonce found used, refused (no call to Concur)
//   forged        a launch whose signature does not match: refused 401 (no nonce used, no call to Concur)
//   floor         GET /healthz: the connector doing no work at all (Hono, security headers, logging), which
//                 bounds what any of its routes can reach
//   search        GET /api/search with a popup session
//   commit        POST /api/commit, written to the fake Concur and the audit log
// Each is measured against a bare Node http server answering requests of the same size with answers of the same
// size and status, in the same run. Then 10,000 popup sessions are opened and the server's memory is printed.
// The connector runs with LOG_LEVEL=error and the rate limits off (a load generator is one address).
// The targets (launch verification at least 50% of the bare server, zero errors) are checked at the end: each is
// printed as met or NOT MET, and the run exits 1 when one is missed.
// Run: npm run build && npm run bench:load   (BENCH_SECONDS, BENCH_CONNECTIONS)
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import type autocannon from 'autocannon';
import { figuresRow, measure, type Figures } from './autocannon-run.ts';
import { openSession, sandboxLaunch, startNodeProcess } from '../test/connector-process.ts';
import { startBenchConnector } from './connector.ts';
import { bearer } from '../test/server/helpers.ts';
import { freePort } from '../test/net.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const SESSIONS = 10_000;
const children: ChildProcess[] = [];
process.on('exit', () => children.forEach((c) => c.kill()));

const { url, child: server } = await startBenchConnector();
const barePort = await freePort();
children.push(
  (
    await startNodeProcess(
      ['bench/bare-server.mjs'],
      { PORT: String(barePort) },
      `http://127.0.0.1:${barePort}/200/2/ready`,
    )
  ).child,
);
const bare = `http://127.0.0.1:${barePort}`;

/** Signed launch addresses, each usable once, made by the sandbox as Concur would. */
async function mintLaunches(n: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(await sandboxLaunch(url));
  return out;
}

/** One run at the bench's connections and length (a count, `amount`, takes precedence over the length). */
const run = (name: string, opts: autocannon.Options, expect: number): Promise<Figures> =>
  measure(name, { connections: CONNECTIONS, duration: SECONDS, ...opts }, expect);

/** The bare server answering the same method, request size, body, answer status and answer size. */
function baseline(
  name: string,
  status: number,
  path: string,
  answerBytes: number,
  opts: Partial<autocannon.Options> = {},
): Promise<Figures> {
  const prefix = `/${status}/${answerBytes}/`;
  const pad = 'x'.repeat(Math.max(0, path.length - prefix.length));
  return run(`${name} (bare node http)`, { ...opts, url: `${bare}${prefix}${pad}` }, status);
}

/** The answer's body size plus its headers beyond the ~100 bytes of headers the bare server sends itself. */
const answerSize = async (res: Response) =>
  Math.max(
    0,
    (await res.arrayBuffer()).byteLength +
      [...res.headers].reduce((n, [k, v]) => n + k.length + v.length + 4, 17) -
      100,
  );
const results: [Figures, Figures][] = [];

// launch: fresh launches, each used once (as many as fit in the run at a generous rate).
const launches = await mintLaunches(Math.max(2000, SECONDS * 1500));
const sample = await fetch(`${url}${launches.pop()!}`, { redirect: 'manual' });
let next = 0;
results.push([
  await run(
    'launch',
    {
      url,
      amount: launches.length,
      requests: [{ setupRequest: (req) => ({ ...req, path: launches[next++ % launches.length]! }) }],
    },
    200,
  ),
  await baseline('launch', 200, launches[0]!, await answerSize(sample)),
]);

// verification: one used launch, replayed (signature verified, nonce found used, refused 401).
const used = launches[0]!;
const refusal = await fetch(`${url}${used}`, { redirect: 'manual', headers: { accept: 'application/json' } });
results.push([
  await run('verification', { url: `${url}${used}`, headers: { accept: 'application/json' } }, 401),
  await baseline('verification', 401, used, await answerSize(refusal)),
]);
// forged: the same launch with another signature of the same length.
const forged = used.replace(
  /signature=[^&]+/,
  `signature=${encodeURIComponent(Buffer.alloc(32, 7).toString('base64'))}`,
);
const forgery = await fetch(`${url}${forged}`, { redirect: 'manual', headers: { accept: 'application/json' } });
results.push([
  await run('forged', { url: `${url}${forged}`, headers: { accept: 'application/json' } }, 401),
  await baseline('forged', 401, forged, await answerSize(forgery)),
]);
// floor: the cheapest route there is.
results.push([
  await run('floor (/healthz)', { url: `${url}/healthz` }, 200),
  await baseline('floor', 200, '/healthz', await answerSize(await fetch(`${url}/healthz`))),
]);

// search and commit, with one popup session.
const auth = bearer(await openSession(url, await sandboxLaunch(url)));
const searchPath = '/api/search?q=frankfurt';
results.push([
  await run('search', { url: `${url}${searchPath}`, headers: auth }, 200),
  await baseline('search', 200, searchPath, await answerSize(await fetch(`${url}${searchPath}`, { headers: auth })), {
    headers: auth,
  }),
]);
const commit = {
  method: 'POST' as const,
  headers: { ...auth, 'content-type': 'application/json' },
  body: JSON.stringify({ code: 'PRJ-1042' }),
};
results.push([
  await run('commit', { url: `${url}/api/commit`, ...commit }, 200),
  await baseline('commit', 200, '/api/commit', await answerSize(await fetch(`${url}/api/commit`, commit)), commit),
]);

// Memory after 10,000 popup sessions.
const metric = async (name: string) =>
  Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(await (await fetch(`${url}/metrics`)).text())?.[1]);
const rssBefore = await metric('process_resident_memory_bytes');
// Each launch just before it is used: the sandbox's authorization codes live five minutes.
for (let i = 0; i < SESSIONS; i++) await openSession(url, await sandboxLaunch(url));
const rssAfter = await metric('process_resident_memory_bytes');
const heapAfter = await metric('nodejs_heap_size_used_bytes');
server.kill();

const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;
const ratio = (name: string) => {
  const [ours, base] = results.find(([f]) => f.name === name)!;
  return (ours.rps / base.rps) * 100;
};
const errors = results.flat().reduce((n, f) => n + f.errors, 0);
const targets: [string, boolean][] = [
  [
    `launch verification (a replay refused) at least 50% of the bare server: ${ratio('verification').toFixed(1)}%`,
    ratio('verification') >= 50,
  ],
  [
    `launch verification (a forged signature refused) at least 50% of the bare server: ${ratio('forged').toFixed(1)}%`,
    ratio('forged') >= 50,
  ],
  [`zero errors across every run: ${errors}`, errors === 0],
];
const row = figuresRow;
const lines = [
  `Load on loopback: ${CONNECTIONS} connections, ${SECONDS} s per run (launch: one request per fresh launch), ` +
    new Date().toISOString(),
  ...results.flatMap(([ours, base]) => [
    row(ours),
    row(base),
    `${''.padEnd(28)} ratio to bare server: ${((ours.rps / base.rps) * 100).toFixed(1)}%`,
  ]),
  `Memory: resident ${mb(rssBefore)} before, ${mb(rssAfter)} after ${SESSIONS} popup sessions ` +
    `(heap used ${mb(heapAfter)}; sessions live in the SQLite store)`,
  `For scale: the floor (/healthz, no work) reaches ${ratio('floor (/healthz)').toFixed(1)}% of the bare server.`,
  'Targets:',
  ...targets.map(([text, met]) => `  ${met ? 'met    ' : 'NOT MET'}  ${text}`),
];
console.log(lines.join('\n'));
mkdirSync('bench/results', { recursive: true });
writeFileSync(
  'bench/results/load.json',
  JSON.stringify(
    {
      at: new Date().toISOString(),
      seconds: SECONDS,
      connections: CONNECTIONS,
      results,
      memory: { rssBefore, rssAfter, heapAfter, sessions: SESSIONS },
      targets: targets.map(([text, met]) => ({ text, met })),
    },
    null,
    2,
  ),
);
process.exit(targets.every(([, met]) => met) ? 0 : 1);
