// Keystroke to rendered results in the popup, against the sandbox, in headless Chromium: the time from the last
// key of a query to the list showing that query's results (the 150 ms typing pause included, as a user waits it).
// Run: npm run build && npm run bench:keystroke
import { launchChromium } from '../test/chromium.ts';
import { loadConfig } from '../server/config.ts';
import { createLogger } from '../server/logger.ts';
import { startServer } from '../server/serve.ts';
import { SANDBOX_IDS } from '../server/sandbox/concur-state.ts';

const QUERIES = [
  'frankfurt',
  'zurich',
  'prj-10',
  'cost centre',
  'lisbon',
  'audit',
  'consulting',
  'sao paulo',
  'security',
  'cc-2',
  'relaunch',
  'kraków',
  'office move',
  'treasury',
  'prj-20',
  'warehouse',
  'brand',
  'montreal',
  'int-00',
  'merger',
];
const ROUNDS = 3;

const server = await startServer((bound) => loadConfig({ PORT: '0', PUBLIC_URL: bound, LOG_LEVEL: 'silent' }), {
  port: 0,
  host: '127.0.0.1',
  logger: createLogger('silent'),
});
const browser = await launchChromium();
try {
  const page = await browser.newPage({ viewport: { width: 400, height: 400 } });
  await page.goto(`${server.url}/sandbox/launch?source=ENTRY&expense=${SANDBOX_IDS.taxi}&field=custom12`);
  const box = page.getByRole('combobox');
  await box.waitFor();
  const times: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    for (const q of QUERIES) {
      await box.fill('');
      await page.waitForFunction(
        () =>
          document
            .querySelector('leu-popup')
            ?.shadowRoot?.querySelector('leu-search')
            ?.shadowRoot?.querySelector('[role=listbox]')
            ?.getAttribute('aria-busy') === 'false',
      );
      await box.pressSequentially(q.slice(0, -1), { delay: 40 });
      // The last key, then wait (polling every frame) for this query's results to be on screen.
      const started = await page.evaluate(() => performance.now());
      await box.press(q.endsWith(' ') ? 'Space' : q.slice(-1));
      const rendered = await page.waitForFunction(
        (query) => {
          const search = document.querySelector('leu-popup')?.shadowRoot?.querySelector('leu-search')?.shadowRoot;
          const list = search?.querySelector('[role=listbox]');
          const input = search?.querySelector('input');
          const done =
            input?.value === query &&
            list?.getAttribute('aria-busy') === 'false' &&
            (search?.querySelector('[role=option]') ?? search?.textContent?.includes('No values match'));
          return done ? performance.now() : false;
        },
        q,
        { polling: 'raf' },
      );
      if (round > 0) times.push(((await rendered.jsonValue()) as number) - started); // the first round warms up
    }
  }
  times.sort((a, b) => a - b);
  const pct = (p: number) => times[Math.min(times.length - 1, Math.floor((p / 100) * times.length))]!;
  console.log(
    `keystroke to rendered results, popup 400 x 400, sandbox catalog, ${times.length} queries ` +
      `(${ROUNDS - 1} rounds after a warm-up):`,
  );
  console.log(
    `  p50 ${pct(50).toFixed(0)} ms   p95 ${pct(95).toFixed(0)} ms   max ${times.at(-1)!.toFixed(0)} ms   ` +
      '(of which the typing pause: 150 ms)',
  );
} finally {
  await browser.close();
  await server.close();
}
