// For an end-to-end test file: the real server with its sandbox (its own data folder) and Debian's Chromium, started
// once for the file, the sandbox's fake Concur reset before each test (unless told not to); and the simulated form's
// read-only fields.
import { after, before, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { loadConfig } from '../../server/config.ts';
import { createLogger } from '../../server/logger.ts';
import { startServer, type RunningServer } from '../../server/serve.ts';
import { tempDataDir } from '../data-dir.ts';
import { launchChromium } from '../chromium.ts';

/** Where the end-to-end tests save their screenshots. */
export const E2E_OUT = 'test-output/e2e';

/** `resetEachTest: false` keeps the sandbox's fake Concur as the tests before left it. */
export function useSandboxAndBrowser({ resetEachTest = true } = {}): {
  server: () => RunningServer;
  browser: () => Browser;
} {
  let server: RunningServer;
  let browser: Browser;
  const dataDir = tempDataDir();
  before(async () => {
    mkdirSync(E2E_OUT, { recursive: true });
    server = await startServer((bound) => loadConfig({ PORT: '0', DATA_DIR: dataDir, PUBLIC_URL: bound }), {
      port: 0,
      host: '127.0.0.1',
      logger: createLogger('silent'),
    });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });
  if (resetEachTest) beforeEach(() => server.sandbox!.reset());
  return { server: () => server, browser: () => browser };
}

/** A simulated form's read-only field, as a user reads it after Concur reloads the form. */
export const fieldValue = (page: Page, label: string) =>
  page.getByRole('textbox', { name: label, exact: true }).inputValue();

/** Waits (a few seconds at most) for the form, read again after the popup closed, to show the value. */
export async function waitForField(page: Page, label: string, value: string): Promise<void> {
  for (let i = 0; i < 40 && (await fieldValue(page, label)) !== value; i++) await page.waitForTimeout(100);
  assert.equal(await fieldValue(page, label), value);
}
