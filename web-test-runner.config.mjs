// Browser tests: Debian's Chromium driven by Playwright, headless, one page at a time; msw's worker at the root.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { playwrightLauncher } from '@web/test-runner-playwright';
import { defaultReporter } from '@web/test-runner';

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
];

const mswWorker = fileURLToPath(import.meta.resolve('msw/mockServiceWorker.js'));

/** msw in the browser needs its worker script at the site root. */
function mswWorkerMiddleware() {
  return async (ctx, next) => {
    if (ctx.path !== '/mockServiceWorker.js') return next();
    ctx.type = 'application/javascript';
    ctx.body = await readFile(mswWorker, 'utf8');
  };
}

/** Prints the closing "browser: N passed, N failed" line that CI reads. */
function countReporter() {
  let sessions;
  return {
    start(args) {
      sessions = args.sessions;
    },
    stop() {
      let passed = 0,
        failed = 0,
        skipped = 0;
      const walk = (suite) => {
        for (const t of suite.tests) {
          if (t.skipped) skipped++;
          else if (t.passed) passed++;
          else failed++;
        }
        for (const s of suite.suites) walk(s);
      };
      for (const session of sessions.all()) {
        if (session.testResults) walk(session.testResults);
        // A file that failed to load, or threw outside a test, counts as a failure too.
        if (!session.passed && (session.errors?.length ?? 0) > 0) failed++;
      }
      const line = `browser: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`;
      // After the default reporter's last progress frame, so it is the final line of the run.
      process.once('exit', () => process.stdout.write(line));
    },
  };
}

export default {
  files: ['test/browser/**/*.test.ts'],
  nodeResolve: { exportConditions: ['browser', 'production'] },
  concurrency: 1,
  browserStartTimeout: 60_000,
  testsFinishTimeout: 180_000,
  plugins: [
    esbuildPlugin({
      ts: true,
      tsconfig: fileURLToPath(new URL('./tsconfig.browser.json', import.meta.url)),
      target: 'es2022',
    }),
  ],
  middleware: [mswWorkerMiddleware()],
  // Playwright drives Debian's Chromium (no browser download); with puppeteer-core this Chromium now and then
  // stalled opening a test page, which timed out whole runs.
  browsers: [
    playwrightLauncher({
      product: 'chromium',
      launchOptions: {
        executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
        headless: true,
        args: CHROMIUM_ARGS,
      },
    }),
  ],
  testFramework: { config: { timeout: 5000 } },
  reporters: [defaultReporter(), countReporter()],
};
