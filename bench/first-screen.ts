// Time from the launch request to an interactive, focused search box, in headless Chromium against the sandbox,
// as a ratio to loading a static HTML page of the same size from the same server in the same run. The box takes
// typing before the session's context has loaded; the time until the context is in (and what was typed is
// searched) is printed as well. Each sample
// opens a fresh browser context (cold cache), as Concur's popup does.
// Run: npm run build && npm run bench:first-screen   (FIRST_SCREEN_ROUNDS, default 20)
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { launchChromium } from '../test/chromium.ts';
import { startSandboxServer } from './sandbox-server.ts';
import { sandboxLaunch } from '../test/connector-process.ts';
import { median } from './stats.ts';

const ROUNDS = Number(process.env.FIRST_SCREEN_ROUNDS ?? 20);
const server = await startSandboxServer();
// The static page: as many bytes as the first screen's files (HTML, JS, CSS) take on the wire. The server sends
// those Brotli-compressed (the build's .br files), and the static page as it is.
const assets = readFileSync('dist/index.html', 'utf8');
const files = ['index.html', ...[...assets.matchAll(/(?:src|href)="\/app\/(assets\/[^"]+)"/g)].map((m) => m[1]!)];
const sent = (f: string) =>
  existsSync(join('dist', `${f}.br`)) ? statSync(join('dist', `${f}.br`)).size : statSync(join('dist', f)).size;
const weight = files.reduce((n, f) => n + sent(f), 0);
const STATIC = join('dist', 'bench-static.html');
writeFileSync(
  STATIC,
  '<!doctype html><title>static</title><input autofocus aria-label="static">' +
    `<!--${'x'.repeat(Math.max(0, weight - 80))}-->`,
);
const browser = await launchChromium();
try {
  const popup: number[] = [];
  const ready: number[] = [];
  const page: number[] = [];
  for (let round = 0; round <= ROUNDS; round++) {
    // A launch address signed by the sandbox, as Concur would send it.
    const launch = await sandboxLaunch(server.url);
    const context = await browser.newContext({ viewport: { width: 400, height: 400 } });
    const tab = await context.newPage();
    let started = performance.now();
    await tab.goto(`${server.url}${launch}`, { waitUntil: 'commit' });
    await tab.waitForFunction(
      () => {
        const search = document.querySelector('leu-popup')?.shadowRoot?.querySelector('leu-search');
        const input = search?.shadowRoot?.querySelector('input');
        return (
          input &&
          !input.disabled &&
          search!.shadowRoot!.activeElement === input &&
          document.activeElement?.localName === 'leu-popup'
        );
      },
      null,
      { polling: 'raf' },
    );
    const popupMs = performance.now() - started;
    // The context is in: the popup shows its Done button, and the box searches.
    await tab.waitForFunction(
      () => document.querySelector('leu-popup')?.shadowRoot?.querySelector('[part=done]'),
      null,
      { polling: 'raf' },
    );
    const readyMs = performance.now() - started;
    await context.close();
    // The static page in a fresh context too, so neither gains from the other's warm connection or cache.
    const staticContext = await browser.newContext({ viewport: { width: 400, height: 400 } });
    const staticTab = await staticContext.newPage();
    started = performance.now();
    await staticTab.goto(`${server.url}/app/bench-static.html`, { waitUntil: 'commit' });
    await staticTab.waitForFunction(() => document.activeElement?.localName === 'input', null, { polling: 'raf' });
    const pageMs = performance.now() - started;
    await staticContext.close();
    if (round > 0) {
      // the first round warms the server up
      popup.push(popupMs);
      ready.push(readyMs);
      page.push(pageMs);
    }
  }
  const lines = [
    'launch to a focused, interactive search box, headless Chromium, 400 x 400, fresh context each time, ' +
      `${ROUNDS} rounds:`,
    '  popup: launch and sign-in, then the app until its search box is focused and takes typing  ' +
      `median ${median(popup).toFixed(0)} ms`,
    `  static HTML page of the same size as sent (${(weight / 1024).toFixed(1)} KB: ` +
      "the popup's files go Brotli-compressed, the page as it is) from the same server  " +
      `median ${median(page).toFixed(0)} ms`,
    `  ratio: ${(median(popup) / median(page)).toFixed(1)}x`,
    '  and until the session and context are in (the box searches what was typed)  ' +
      `median ${median(ready).toFixed(0)} ms, ${(median(ready) / median(page)).toFixed(1)}x the static page`,
  ];
  console.log(lines.join('\n'));
  mkdirSync('bench/results', { recursive: true });
  writeFileSync(
    'bench/results/first-screen.json',
    JSON.stringify(
      { at: new Date().toISOString(), rounds: ROUNDS, popupMs: popup, readyMs: ready, staticMs: page, bytes: weight },
      null,
      2,
    ),
  );
} finally {
  rmSync(STATIC, { force: true });
  await browser.close();
  await server.close();
}
