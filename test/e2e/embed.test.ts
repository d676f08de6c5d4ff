// End to end: the example portal page (examples/host-page.*) on another site than the connector, in Debian's
// Chromium with third-party cookies blocked: the element, the framed picker and the popup picker each deliver the
// user's choice to the page; a page whose origin is not allowed can neither frame the picker nor call its API.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Browser, type Locator, type Page } from 'playwright-core';
import { loadConfig } from '../../server/config.ts';
import { createLogger } from '../../server/logger.ts';
import { startServer, type RunningServer } from '../../server/serve.ts';
import { tempDataDir } from '../data-dir.ts';
import { launchChromium } from '../chromium.ts';

const dataDir = tempDataDir();

const OUT = 'test-output/e2e';

/** A plain static server for a host page, on its own port (so its own origin). */
function hostServer(files: Record<string, [string, string]>): Promise<Server> {
  const server = createServer((req, res) => {
    const file = files[new URL(req.url!, 'http://x').pathname];
    if (!file) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': file[0] }).end(file[1]);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}
const portOf = (s: Server) => (s.address() as AddressInfo).port;

let connector: RunningServer;
let portal: Server;
let stranger: Server;
let browser: Browser;
let portalOrigin: string;
let strangerOrigin: string;

before(async () => {
  mkdirSync(OUT, { recursive: true });
  const example = (name: string) => readFileSync(`examples/${name}`, 'utf8');
  // The portal's own configuration names the connector (the meta tag), as a customer's copy of the page would.
  let hostPage = example('host-page.html');
  portal = await hostServer({});
  // "localhost" is another site than the connector's 127.0.0.1, so the frame is a third-party one.
  portalOrigin = `http://localhost:${portOf(portal)}`;
  stranger = await hostServer({});
  strangerOrigin = `http://localhost:${portOf(stranger)}`;
  connector = await startServer(
    (bound) =>
      loadConfig({
        PORT: '0',
        DATA_DIR: dataDir,
        PUBLIC_URL: bound,
        EMBED_ALLOWED_ORIGINS: portalOrigin,
        EMBED_FIELDS: 'custom12',
      }),
    {
      port: 0,
      host: '127.0.0.1',
      logger: createLogger('silent'),
    },
  );
  hostPage = hostPage.replace(
    '<meta name="leu-connector" content="" />',
    `<meta name="leu-connector" content="${connector.url}" />`,
  );
  portal.removeAllListeners('request');
  portal.on('request', (req, res) => {
    const name = new URL(req.url!, 'http://x').pathname;
    const body =
      name === '/host-page.html'
        ? hostPage
        : name === '/host-page.css' || name === '/host-page.js'
          ? example(name.slice(1))
          : undefined;
    if (body === undefined) return void res.writeHead(404).end();
    res
      .writeHead(200, {
        'content-type': name.endsWith('.js') ? 'text/javascript' : name.endsWith('.css') ? 'text/css' : 'text/html',
      })
      .end(body);
  });
  const framing =
    '<!doctype html><title>Not allowed</title><h1>A page that is not allowed</h1>' +
    `<iframe title="picker" src="${connector.url}/embed/v1/picker?field=custom12"></iframe>`;
  stranger.removeAllListeners('request');
  stranger.on('request', (req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(framing));
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await connector?.close();
  for (const server of [portal, stranger]) {
    server?.closeAllConnections();
    await new Promise((r) => server?.close(r));
  }
});

/** Clicks a button inside a frame without waiting on the frame (which the click removes). */
const clickSoon = (button: Locator) =>
  button
    .evaluate((b) => void setTimeout(() => (b as HTMLElement).click(), 100))
    .catch((error: Error) => {
      // The frame may already be gone when Playwright reads the (empty) result: the click did happen.
      if (!/detached/i.test(error.message)) throw error;
    });

async function openPortal(): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 900, height: 1500 } });
  await page.goto(`${portalOrigin}/host-page.html?field=custom12`);
  return page;
}

test(
  'on an allowed portal, the element, the framed picker and the popup each hand the choice to the page',
  { timeout: 120_000 },
  async () => {
    const page = await openPortal();
    const context = page.context();

    // 1. The element on the page, talking to the connector across origins (CORS).
    const element = page.locator('leu-picker');
    await element.getByRole('combobox').fill('zurich');
    await element.getByRole('option', { name: /PRJ-1011/ }).waitFor();
    await element.getByRole('combobox').press('Enter');
    await element.getByRole('button', { name: 'Done' }).click();
    await page.locator('#element-result', { hasText: 'custom12 = PRJ-1011' }).waitFor();

    // 2. The framed picker, answering over a MessageChannel after the ready/connect/ack handshake.
    await page.getByRole('button', { name: 'Choose a project in a frame' }).click();
    const frame = page.frameLocator('iframe[title="Choose a project"]');
    await frame.getByRole('combobox').fill('frankfurt');
    await frame.getByRole('option', { name: /PRJ-1042/ }).waitFor();
    await frame.getByRole('combobox').press('Enter');
    await page.screenshot({ path: `${OUT}/embed-portal-framed.png` });
    // The page removes the frame as soon as the answer arrives, in the middle of the click, and Playwright's input
    // would then wait forever on the vanished frame: the click is made inside the frame, a moment later.
    await clickSoon(frame.getByRole('button', { name: 'Done' }));
    await page.locator('#frame-result', { hasText: 'custom12 = PRJ-1042' }).waitFor();

    // 3. The popup window, with the same protocol.
    const [popup] = await Promise.all([
      page.waitForEvent('popup'),
      page.getByRole('button', { name: 'Choose a project in a popup' }).click(),
    ]);
    await popup.getByRole('combobox').fill('lisbon');
    await popup.getByRole('option', { name: /PRJ-1004/ }).waitFor();
    await popup.keyboard.press('Enter');
    const closed = popup.waitForEvent('close');
    await popup.getByRole('button', { name: 'Done' }).click();
    await closed;
    await page.locator('#popup-result', { hasText: 'custom12 = PRJ-1004' }).waitFor();

    // Cancel in a frame is reported as such.
    await page.getByRole('button', { name: 'Choose a project in a frame' }).click();
    await clickSoon(page.frameLocator('iframe[title="Choose a project"]').getByRole('button', { name: 'Cancel' }));
    await page.locator('#frame-result', { hasText: 'cancelled' }).waitFor();

    assert.deepEqual(await context.cookies(), [], 'no cookie was needed or set, first-party or third-party');
    await page.screenshot({ path: `${OUT}/embed-portal-results.png` });
    await page.close();
  },
);

test('a page whose origin is not allowed cannot frame the picker, nor call its API', { timeout: 60_000 }, async () => {
  const page = await browser.newPage();
  const refusals: string[] = [];
  page.on('console', (m) => {
    if (/frame-ancestors|CORS|Access-Control/i.test(m.text())) refusals.push(m.text());
  });
  await page.goto(`${strangerOrigin}/`);
  await page.waitForTimeout(1500);
  const pickerFrame = page.frames().find((f) => f !== page.mainFrame())!;
  const rendered = await pickerFrame.evaluate(() => document.querySelector('leu-picker') !== null).catch(() => false);
  assert.equal(rendered, false, 'the picker did not render inside the frame');
  assert.ok(
    refusals.some((r) => r.includes('frame-ancestors')),
    `the browser refused the frame: ${refusals.join(' | ')}`,
  );
  const api = await page.evaluate(
    (url) =>
      fetch(url).then(
        (r) => r.status,
        (e: Error) => e.message,
      ),
    `${connector.url}/embed/v1/fields/custom12/search?q=zurich`,
  );
  assert.match(String(api), /Failed to fetch/, 'CORS keeps the answer from a page that is not allowed');
  await page.screenshot({ path: `${OUT}/embed-not-allowed.png` });
  await page.close();
});
