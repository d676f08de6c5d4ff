// End to end: the real server with its sandbox, Debian's Chromium, the simulator, the popup, the write.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { loadConfig } from '../../server/config.js';
import { createLogger, startServer, type RunningServer } from '../../server/serve.js';

const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
  '--disable-component-update', '--no-first-run', '--disable-sync',
];
const OUT = 'test-output/e2e';
const EXPENSE = '84FCBB92BD4E5342B849DAC29FD163A1';

let server: RunningServer;
let browser: Browser;

before(async () => {
  mkdirSync(OUT, { recursive: true });
  server = await startServer((bound) => loadConfig({ PORT: '0', PUBLIC_URL: bound }), {
    port: 0, host: '127.0.0.1', logger: createLogger('silent'),
  });
  browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
});
after(async () => {
  await browser?.close();
  await server?.close();
});
beforeEach(() => server.sandbox!.reset());

async function openSimulator(): Promise<Page> {
  const page = await browser.newPage();
  await page.goto(`${server.url}/`);
  await page.getByRole('button', { name: 'Choose Project' }).waitFor();
  return page;
}

async function openPopup(page: Page): Promise<Page> {
  const [popup] = await Promise.all([page.waitForEvent('popup'), page.getByRole('button', { name: 'Choose Project' }).click()]);
  await popup.getByRole('combobox', { name: 'Search values' }).waitFor();
  return popup;
}

test('choose a project in the popup: it is written to Concur, the popup closes, the form shows it', async () => {
  const page = await openSimulator();
  assert.equal(await page.getByRole('textbox', { name: 'Project' }).inputValue(), '');
  const popup = await openPopup(page);

  // The popup is the app's own address: no launch parameter, no secret, at the admin's 400 x 400.
  assert.equal(popup.url(), `${server.url}/app/`);
  assert.deepEqual(popup.viewportSize(), { width: 400, height: 400 });
  await popup.getByText(/Taxi · €42\.50 · /).waitFor();
  assert.equal(await popup.evaluate(() => window.opener !== null), true, 'the popup keeps its link to the opener');

  await popup.getByRole('combobox').pressSequentially('frankfrut', { delay: 30 });
  await popup.getByRole('option', { name: /PRJ-1042/ }).waitFor();
  await popup.getByRole('option').nth(1).waitFor();
  await popup.keyboard.press('ArrowDown');
  await popup.keyboard.press('ArrowUp');
  await popup.keyboard.press('Enter');
  await popup.getByText('Selected: PRJ-1042').waitFor();
  await popup.screenshot({ path: `${OUT}/popup-400x400.png` });

  // A reload of the popup keeps its session.
  await popup.reload();
  await popup.getByRole('combobox', { name: 'Search values' }).waitFor();
  await popup.getByRole('combobox').fill('PRJ-1042');
  await popup.getByRole('option', { name: /PRJ-1042/ }).click();

  const closed = popup.waitForEvent('close');
  await popup.getByRole('button', { name: 'Done' }).click();
  await closed;

  assert.equal(server.sandbox!.fieldValue(EXPENSE, 'custom12'), 'PRJ-1042', 'Concur holds the value');
  await page.waitForFunction(() => {
    const input = document.querySelector('sim-expense-list')?.shadowRoot?.querySelector('input[readonly]') as HTMLInputElement | null;
    return input?.value === 'PRJ-1042';
  });
  await page.screenshot({ path: `${OUT}/simulator-after-done.png` });
  await page.close();
});

test('Cancel closes the popup and writes nothing', async () => {
  const page = await openSimulator();
  const popup = await openPopup(page);
  await popup.getByRole('option').first().click();
  const closed = popup.waitForEvent('close');
  await popup.getByRole('button', { name: 'Cancel' }).click();
  await closed;
  assert.equal(server.sandbox!.fieldValue(EXPENSE, 'custom12'), null);
  await page.close();
});

test('the launch URL cannot be replayed: opening it again shows a page that says so', async () => {
  const page = await browser.newPage();
  const launchUrls: string[] = [];
  page.on('request', (r) => { if (r.url().includes('/launchexternalurl/v4/form')) launchUrls.push(r.url()); });
  await page.goto(`${server.url}/sandbox/launch?expense=${EXPENSE}&field=custom12`);
  await page.getByRole('combobox').waitFor();
  const again = await page.goto(launchUrls[0]!);
  assert.equal(again?.status(), 401);
  assert.match(await page.getByRole('heading').innerText(), /already been used/);
  await page.close();
});
