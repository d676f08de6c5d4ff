// The launch on a slow network, with Concur's own latency in the way: headless Chromium with DevTools network
// emulation (no throttling, cable, fast 3G) against the sandbox, whose fake Concur answers each call at once or
// after 300 ms (SANDBOX_CONCUR_LATENCY_MS). For each: the focused search box and the first results for a query
// typed as soon as the box is focused (median, max), the sequential round trips from the launch to those results
// (counted from the requests' timing), the bytes on the wire, and a static page of the same bytes from the same
// server under the same emulation, measured in the same run. Each goal of issue 20 is printed as met or not.
// Run: npm run build && npm run bench:network   (BENCH_NETWORK_ROUNDS, default 10)
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium } from '../test/chromium.ts';
import type { RunningServer } from '../server/serve.ts';
import { startSandboxServer } from './sandbox-server.ts';
import { sandboxLaunch } from '../test/connector-process.ts';
import { median } from './stats.ts';

const ROUNDS = Number(process.env.BENCH_NETWORK_ROUNDS ?? 10);
/** DevTools' conditions (throughput in bytes per second). Fast 3G as issue 20 measured it; cable as WebPageTest's. */
const PROFILES = [
  { name: 'no throttling', latency: 0, down: -1, up: -1 },
  { name: 'cable', latency: 28, down: (5 * 1024 * 1024) / 8, up: (1024 * 1024) / 8 },
  { name: 'fast 3G', latency: 150, down: (1.6 * 1024 * 1024) / 8, up: (750 * 1024) / 8 },
] as const;
const CONCUR_LATENCIES = [0, 300] as const;
const QUERY = 'frank';

interface Sample {
  box: number;
  results: number;
  roundTrips: number;
  bytes: number;
}

/**
 * The sequential round trips to the first results: the longest chain of requests, each starting after the one before
 * it ended, that ends with the search whose answer showed them (requests beside that chain, such as the chunks the
 * context needs, are not on the way to the results).
 */
function sequentialRoundTrips(requests: { start: number; end: number; url: string }[]): number {
  const sorted = [...requests].sort((a, b) => a.end - b.end);
  const depth: number[] = [];
  sorted.forEach((r, i) => {
    let best = 0;
    for (let j = 0; j < i; j++) if (sorted[j]!.end <= r.start) best = Math.max(best, depth[j]!);
    depth[i] = best + 1;
  });
  const last = sorted.findLastIndex((r) => new URL(r.url).pathname === '/api/search');
  return last < 0 ? Math.max(0, ...depth) : depth[last]!;
}

async function emulated(
  browser: Browser,
  profile: (typeof PROFILES)[number],
): Promise<{
  context: BrowserContext;
  tab: Page;
  bytes: () => number;
  requests: () => { start: number; end: number; url: string }[];
}> {
  const context = await browser.newContext({ viewport: { width: 400, height: 400 } });
  const tab = await context.newPage();
  const cdp = await context.newCDPSession(tab);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false,
    latency: profile.latency,
    downloadThroughput: profile.down,
    uploadThroughput: profile.up,
  });
  let bytes = 0;
  const open = new Map<string, { start: number; url: string }>();
  const done: { start: number; end: number; url: string }[] = [];
  cdp.on('Network.requestWillBeSent', (e) => open.set(e.requestId, { start: e.timestamp * 1000, url: e.request.url }));
  // A redirect ends one round trip and starts the next under the same id.
  cdp.on('Network.responseReceived', (e) => {
    const r = open.get(e.requestId);
    if (r && e.response.status >= 300 && e.response.status < 400) done.push({ ...r, end: e.timestamp * 1000 });
  });
  cdp.on('Network.loadingFinished', (e) => {
    bytes += e.encodedDataLength;
    const r = open.get(e.requestId);
    if (r) done.push({ ...r, end: e.timestamp * 1000 });
  });
  return { context, tab, bytes: () => bytes, requests: () => done };
}

async function popupRound(
  browser: Browser,
  server: RunningServer,
  profile: (typeof PROFILES)[number],
): Promise<Sample> {
  const launch = await sandboxLaunch(server.url);
  const { context, tab, bytes, requests } = await emulated(browser, profile);
  try {
    const started = performance.now();
    await tab.goto(`${server.url}${launch}`, { waitUntil: 'commit', timeout: 60_000 });
    await tab.waitForFunction(
      () => {
        const search = document.querySelector('leu-popup')?.shadowRoot?.querySelector('leu-search');
        const input = search?.shadowRoot?.querySelector('input');
        return input && !input.disabled && search!.shadowRoot!.activeElement === input;
      },
      null,
      { polling: 'raf', timeout: 60_000 },
    );
    const box = performance.now() - started;
    await tab.keyboard.type(QUERY);
    await tab.waitForFunction(
      () =>
        document
          .querySelector('leu-popup')
          ?.shadowRoot?.querySelector('leu-search')
          ?.shadowRoot?.querySelector('[role=option]'),
      null,
      { polling: 'raf', timeout: 60_000 },
    );
    const results = performance.now() - started;
    // The round trips up to the first results: every request that had ended by then (the search among them).
    if (process.env.BENCH_NETWORK_DEBUG) {
      const t0 = Math.min(...requests().map((r) => r.start));
      console.log(
        `${profile.name}: ` +
          requests()
            .map((r) => `${new URL(r.url).pathname} ${(r.start - t0).toFixed(0)}-${(r.end - t0).toFixed(0)}`)
            .join(', '),
      );
    }
    return { box, results, roundTrips: sequentialRoundTrips(requests()), bytes: bytes() };
  } finally {
    await context.close();
  }
}

async function staticRound(
  browser: Browser,
  server: RunningServer,
  profile: (typeof PROFILES)[number],
): Promise<number> {
  const { context, tab } = await emulated(browser, profile);
  try {
    const started = performance.now();
    await tab.goto(`${server.url}/app/bench-network-static.html`, { waitUntil: 'commit', timeout: 60_000 });
    await tab.waitForFunction(() => document.activeElement?.localName === 'input', null, {
      polling: 'raf',
      timeout: 60_000,
    });
    return performance.now() - started;
  } finally {
    await context.close();
  }
}

const assets = readFileSync('dist/index.html', 'utf8');
const files = ['index.html', ...[...assets.matchAll(/(?:src|href)="\/app\/(assets\/[^"]+)"/g)].map((m) => m[1]!)];
const sent = (f: string) =>
  existsSync(join('dist', `${f}.br`)) ? statSync(join('dist', `${f}.br`)).size : statSync(join('dist', f)).size;
const firstScreen = files.reduce((n, f) => n + sent(f), 0);

const browser = await launchChromium();
const lines: string[] = [];
const results: Record<string, unknown>[] = [];
const STATIC = join('dist', 'bench-network-static.html');
try {
  for (const concurMs of CONCUR_LATENCIES) {
    const server = await startSandboxServer({
      RATE_LIMIT_SEARCHES_PER_MINUTE: '0',
      SANDBOX_CONCUR_LATENCY_MS: String(concurMs),
    });
    try {
      for (const profile of PROFILES) {
        const samples: Sample[] = [];
        const statics: number[] = [];
        for (let round = 0; round <= ROUNDS; round++) {
          const sample = await popupRound(browser, server, profile);
          // The static page: as many bytes as this round's popup took before its first results.
          writeFileSync(
            STATIC,
            '<!doctype html><title>static</title><input autofocus aria-label="static">' +
              `<!--${'x'.repeat(Math.max(0, sample.bytes - 600))}-->`,
          );
          const page = await staticRound(browser, server, profile);
          if (round === 0) continue; // the first round warms the server up
          samples.push(sample);
          statics.push(page);
        }
        const m = (f: (s: Sample) => number) => median(samples.map(f));
        const max = (f: (s: Sample) => number) => Math.max(...samples.map(f));
        const row = {
          concurMs,
          profile: profile.name,
          boxMedianMs: m((s) => s.box),
          boxMaxMs: max((s) => s.box),
          resultsMedianMs: m((s) => s.results),
          resultsMaxMs: max((s) => s.results),
          staticMedianMs: median(statics),
          roundTrips: m((s) => s.roundTrips),
          bytes: m((s) => s.bytes),
        };
        results.push(row);
        lines.push(
          `  Concur ${String(concurMs).padStart(3)} ms, ${profile.name.padEnd(13)} box median ${row.boxMedianMs.toFixed(0).padStart(5)} ms ` +
            `(max ${row.boxMaxMs.toFixed(0)}), first results median ${row.resultsMedianMs.toFixed(0).padStart(5)} ms ` +
            `(max ${row.resultsMaxMs.toFixed(0)}); static page ${row.staticMedianMs.toFixed(0)} ms: ` +
            `${(row.boxMedianMs / row.staticMedianMs).toFixed(1)}x / ${(row.resultsMedianMs / row.staticMedianMs).toFixed(1)}x; ` +
            `${row.roundTrips} sequential round trips, ${(row.bytes / 1024).toFixed(1)} KB`,
        );
      }
    } finally {
      await server.close();
    }
  }
} finally {
  rmSync(STATIC, { force: true });
  await browser.close();
}

const find = (concurMs: number, profile: string) =>
  results.find((r) => r.concurMs === concurMs && r.profile === profile)!;
const slow = find(0, 'fast 3G') as {
  resultsMedianMs: number;
  staticMedianMs: number;
  boxMedianMs: number;
  roundTrips: number;
};
const slowConcur = find(300, 'fast 3G') as { resultsMedianMs: number };
const goal = (met: boolean, text: string) => `  ${met ? 'met    ' : 'NOT MET'}  ${text}`;
console.log(
  [
    `The launch to the first results, headless Chromium 400 x 400, a fresh context each round, ${ROUNDS} rounds, the query "${QUERY}" typed as soon as the box is focused:`,
    ...lines,
    `  (the first screen's own files: ${(firstScreen / 1024).toFixed(1)} KB Brotli-compressed)`,
    'Goals (issue 20):',
    goal(
      slow.resultsMedianMs <= 700,
      `first results on fast 3G at most 700 ms median: ${slow.resultsMedianMs.toFixed(0)} ms`,
    ),
    goal(
      slow.resultsMedianMs <= 1.5 * slow.staticMedianMs,
      `first results on fast 3G at most 1.5x the static page: ${(slow.resultsMedianMs / slow.staticMedianMs).toFixed(2)}x`,
    ),
    goal(
      slow.boxMedianMs <= 1.2 * slow.staticMedianMs,
      `the focused box on fast 3G at most 1.2x the static page: ${(slow.boxMedianMs / slow.staticMedianMs).toFixed(2)}x`,
    ),
    goal(slow.roundTrips <= 3, `at most three sequential round trips to the first results: ${slow.roundTrips}`),
    goal(
      slowConcur.resultsMedianMs - slow.resultsMedianMs <= 300,
      `a 300 ms Concur adds at most 300 ms on fast 3G: +${(slowConcur.resultsMedianMs - slow.resultsMedianMs).toFixed(0)} ms`,
    ),
  ].join('\n'),
);
mkdirSync('bench/results', { recursive: true });
writeFileSync(
  'bench/results/network.json',
  JSON.stringify({ at: new Date().toISOString(), rounds: ROUNDS, results }, null, 2),
);
