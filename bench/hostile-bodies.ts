// Huge request bodies against the connector in its own process (sandbox, default SQLite store): five clients at
// once each start a 400 MB commit, once declared by Content-Length and once streamed chunked without a length,
// and keep sending until the connector answers. Measured: how long each waits for its answer, how much of its
// body it got to send, and the connector's resident memory at its peak (sampled from /proc every 20 ms). Beside
// them, in the same run: five ordinary commits at once, and the connector's memory at rest.
// Targets: every huge body answered 413 within a second, after at most 8 MB sent, and the connector's memory
// growing by at most 50 MB. Each is printed as met or NOT MET, and the run exits 1 when one is missed.
// Run: npm run build && npm run bench:hostile-bodies
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { openSession, sandboxLaunch } from '../test/connector-process.ts';
import { bearer } from '../test/server/helpers.ts';
import { startBenchConnector } from './connector.ts';

const CLIENTS = 5;
const BODY_BYTES = 400 * 1024 * 1024;
const CHUNK = Buffer.alloc(64 * 1024, 'x');
const { url, child: server } = await startBenchConnector();

const rssMb = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${server.pid}/status`, 'utf8'))![1]) / 1024;

/** Samples the connector's memory while `work` runs; the peak in MB. */
async function peakWhile<T>(work: Promise<T>): Promise<{ result: T; peak: number }> {
  let peak = rssMb();
  const timer = setInterval(() => (peak = Math.max(peak, rssMb())), 20);
  try {
    return { result: await work, peak: Math.max(peak, rssMb()) };
  } finally {
    clearInterval(timer);
  }
}

interface Outcome {
  status: number;
  ms: number;
  sentMb: number;
}

/** A commit whose body is sent until the answer comes (or all of `total` bytes are sent). */
function hugeCommit(token: string, declared: boolean, total = BODY_BYTES): Promise<Outcome> {
  return new Promise((resolve) => {
    const started = performance.now();
    let sent = 0;
    let answered = false;
    const headers: Record<string, string> = {
      ...bearer(token),
      'content-type': 'application/json',
      ...(declared ? { 'content-length': String(total) } : {}),
    };
    const req = request(`${url}/api/commit`, { method: 'POST', headers });
    const finish = (status: number) => {
      if (answered) return;
      answered = true;
      resolve({ status, ms: performance.now() - started, sentMb: sent / 1024 / 1024 });
      req.destroy();
    };
    req.on('response', (res) => {
      res.resume();
      finish(res.statusCode ?? 0);
    });
    // The connector closes the connection once it has answered: the client's next write may fail (EPIPE) before it
    // reads the answer. The answer usually still arrives; a connection closed without one counts as status 0.
    req.on('error', () => setTimeout(() => finish(0), 500));
    const pump = () => {
      while (!answered && sent < total) {
        sent += CHUNK.length;
        if (!req.write(CHUNK)) return void req.once('drain', pump);
      }
      if (!answered) req.end();
    };
    pump();
  });
}

function normalCommit(token: string): Promise<Outcome> {
  const started = performance.now();
  return fetch(`${url}/api/commit`, {
    method: 'POST',
    headers: { ...bearer(token), 'content-type': 'application/json' },
    body: JSON.stringify({ code: 'PRJ-1042' }),
  }).then(async (r) => (await r.arrayBuffer(), { status: r.status, ms: performance.now() - started, sentMb: 0 }));
}

const tokens = await Promise.all(
  Array.from({ length: CLIENTS }, async () => openSession(url, await sandboxLaunch(url))),
);
await Promise.all(tokens.map((t) => fetch(`${url}/api/context`, { headers: bearer(t) }).then((r) => r.arrayBuffer())));
const rest = rssMb();
const normal = await peakWhile(Promise.all(tokens.map(normalCommit)));
const declared = await peakWhile(Promise.all(tokens.map((t) => hugeCommit(t, true))));
const streamed = await peakWhile(Promise.all(tokens.map((t) => hugeCommit(t, false))));
const after = rssMb();

const worst = (o: Outcome[]) => ({
  ms: Math.max(...o.map((x) => x.ms)),
  sent: Math.max(...o.map((x) => x.sentMb)),
  statuses: [...new Set(o.map((x) => x.status))].join(','),
});
const row = (name: string, r: { result: Outcome[]; peak: number }) => {
  const w = worst(r.result);
  console.log(
    `${name.padEnd(44)} ${w.statuses.padStart(7)} ${w.ms.toFixed(0).padStart(8)} ms ` +
      `${w.sent.toFixed(1).padStart(8)} MB ${r.peak.toFixed(0).padStart(6)} MB (+${(r.peak - rest).toFixed(0)})`,
  );
};
console.log(`${CLIENTS} clients at once; connector memory at rest ${rest.toFixed(0)} MB`);
console.log(
  `${'run'.padEnd(44)} ${'status'.padStart(7)} ${'slowest'.padStart(11)} ` +
    `${'most sent'.padStart(11)} ${'peak RSS'.padStart(9)}`,
);
row('baseline: ordinary commits', normal);
row(`${BODY_BYTES / 1024 / 1024} MB bodies, Content-Length declared`, declared);
row(`${BODY_BYTES / 1024 / 1024} MB bodies, streamed without a length`, streamed);
console.log(`connector memory after: ${after.toFixed(0)} MB`);

const targets: [string, boolean][] = [];
for (const [name, r] of [
  ['declared', declared],
  ['streamed', streamed],
] as const) {
  const w = worst(r.result);
  targets.push([
    `${name}: every huge body refused (413, or the connection closed once refused)`,
    r.result.every((o) => o.status === 413 || o.status === 0),
  ]);
  targets.push([
    `${name}: answered within 1 s (slowest ${w.ms.toFixed(0)} ms, a closed connection counted with its 500 ms wait)`,
    w.ms <= 1000,
  ]);
  targets.push([`${name}: at most 8 MB sent before the answer (most ${w.sent.toFixed(1)} MB)`, w.sent <= 8]);
  targets.push([`${name}: memory grew at most 50 MB (+${(r.peak - rest).toFixed(0)} MB)`, r.peak - rest <= 50]);
}
targets.push(['ordinary commits answered 200', normal.result.every((o) => o.status === 200)]);
for (const [name, met] of targets) console.log(`${met ? 'met    ' : 'NOT MET'} ${name}`);
process.exit(targets.every(([, met]) => met) ? 0 : 1);
