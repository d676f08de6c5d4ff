// Lighthouse (mobile, its default simulated slow 4G and mid-range phone) on the popup after a sandbox launch, in
// Debian's Chromium: the performance, accessibility and best-practices scores and the cumulative layout shift, each
// against issue 20's goal (100, 100, 100 and 0), written to bench/results/lighthouse.json. Three runs, each with a
// fresh launch (a launch can be used once); the median score of each category is reported.
// Run: npm run build && npm run bench:lighthouse   (BENCH_LIGHTHOUSE_RUNS, default 3)
import { mkdirSync, writeFileSync } from 'node:fs';
import * as chromeLauncher from 'chrome-launcher';
import lighthouse from 'lighthouse';
import { CHROMIUM_ARGS } from '../test/chromium.ts';
import { sandboxLaunch } from '../test/connector-process.ts';
import { startSandboxServer } from './sandbox-server.ts';
import { median } from './stats.ts';

const RUNS = Number(process.env.BENCH_LIGHTHOUSE_RUNS ?? 3);
const CATEGORIES = ['performance', 'accessibility', 'best-practices'] as const;

const server = await startSandboxServer({ RATE_LIMIT_SEARCHES_PER_MINUTE: '0' });
const chrome = await chromeLauncher.launch({
  chromePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  chromeFlags: ['--headless=new', ...CHROMIUM_ARGS],
});
const runs: { scores: Record<string, number>; cls: number; lcpMs: number; failing: string[] }[] = [];
try {
  for (let i = 0; i < RUNS; i++) {
    const url = `${server.url}${await sandboxLaunch(server.url)}`;
    const result = await lighthouse(url, {
      port: chrome.port,
      output: 'json',
      logLevel: 'error',
      onlyCategories: [...CATEGORIES],
    });
    const lhr = result!.lhr;
    runs.push({
      scores: Object.fromEntries(CATEGORIES.map((c) => [c, Math.round((lhr.categories[c]?.score ?? 0) * 100)])),
      cls: lhr.audits['cumulative-layout-shift']?.numericValue ?? NaN,
      lcpMs: lhr.audits['largest-contentful-paint']?.numericValue ?? NaN,
      // What cost points: scored audits below full marks.
      failing: Object.values(lhr.audits)
        .filter((a) => a.score !== null && a.score < 1 && a.scoreDisplayMode !== 'informative')
        .map((a) => a.id),
    });
  }
} finally {
  chrome.kill();
  await server.close();
}

const scores = Object.fromEntries(CATEGORIES.map((c) => [c, median(runs.map((r) => r.scores[c]!))]));
const cls = median(runs.map((r) => r.cls));
const failing = [...new Set(runs.flatMap((r) => r.failing))];
const goal = (met: boolean, text: string) => `  ${met ? 'met    ' : 'NOT MET'}  ${text}`;
console.log(
  [
    `Lighthouse ${RUNS} runs (mobile, simulated throttling) on the popup after a sandbox launch, medians:`,
    `  ${CATEGORIES.map((c) => `${c} ${scores[c]}`).join(', ')}; cumulative layout shift ${cls.toFixed(3)}; ` +
      `largest contentful paint ${median(runs.map((r) => r.lcpMs)).toFixed(0)} ms (simulated)`,
    `  audits below full marks in any run: ${failing.join(', ') || 'none'}`,
    'Goals (issue 20):',
    ...CATEGORIES.map((c) => goal(scores[c] === 100, `${c} 100: ${scores[c]}`)),
    goal(cls === 0, `cumulative layout shift 0: ${cls.toFixed(3)}`),
  ].join('\n'),
);
mkdirSync('bench/results', { recursive: true });
writeFileSync(
  'bench/results/lighthouse.json',
  JSON.stringify({ at: new Date().toISOString(), runs, medians: { ...scores, cls } }, null, 2),
);
