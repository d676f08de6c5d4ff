// End to end: the real server with its sandbox, Debian's Chromium, the simulator, the popup, the write.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { SANDBOX_IDS, SANDBOX_REPORT } from '../../server/sandbox/concur-state.ts';
import { chooseAndClose } from '../chromium.ts';
import { E2E_OUT as OUT, useSandboxAndBrowser, fieldValue, waitForField } from './sandbox-browser.ts';

const EXPENSE = SANDBOX_IDS.taxi;
const TAXI = 'Choose Project for Taxi';

const { server, browser } = useSandboxAndBrowser();

async function openSimulator(): Promise<Page> {
  const page = await browser().newPage({ viewport: { width: 1000, height: 1600 } });
  await page.goto(`${server().url}/`);
  await page.getByRole('button', { name: TAXI }).waitFor();
  return page;
}

async function openPopup(page: Page, button = TAXI): Promise<Page> {
  const [popup] = await Promise.all([page.waitForEvent('popup'), page.getByRole('button', { name: button }).click()]);
  await popup.getByRole('combobox', { name: 'Search values' }).waitFor();
  return popup;
}

test('choose a project in the popup: it is written to Concur, the popup closes, the form shows it', async () => {
  const page = await openSimulator();
  assert.equal(await fieldValue(page, 'Project, Taxi'), '');
  const popup = await openPopup(page);

  // The popup is the app's own address: no launch parameter, no secret, at the admin's 400 x 400.
  assert.equal(popup.url(), `${server().url}/app/`);
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

  assert.equal(server().sandbox!.fieldValue(EXPENSE, 'custom12'), 'PRJ-1042', 'Concur holds the value');
  await waitForField(page, 'Project, Taxi', 'PRJ-1042');
  await page.screenshot({ path: `${OUT}/simulator-after-done.png` });
  await page.close();
});

test('the launch answers with the page: its parameters leave the address bar and the history entry, the API chunk loads once, a reload keeps the session', async () => {
  const page = await openSimulator();
  const requests: string[] = [];
  page.context().on('request', (r) => requests.push(new URL(r.url()).pathname));
  const popup = await openPopup(page);
  await popup.getByText(/Taxi · €42\.50 · /).waitFor();
  // The launch itself was answered with the page (no redirect), whose inline script took its parameters away.
  const launches = requests.filter((p) => p === '/launchexternalurl/v4/form');
  assert.equal(launches.length, 1);
  assert.equal(popup.url(), `${server().url}/app/`);
  const seen = await popup.evaluate(() => ({
    href: location.href,
    entries: history.length,
    state: history.state as unknown,
    referrer: document.referrer,
  }));
  assert.deepEqual(seen, { href: `${server().url}/app/`, entries: 1, state: { leuWizard: false }, referrer: '' });
  // A result for a query typed at once; then the page goes on with the same, single API chunk.
  await popup.getByRole('combobox').pressSequentially('frankfurt');
  await popup.getByRole('option', { name: /PRJ-1042/ }).waitFor();
  const chunks = (list: string[]) => list.filter((p) => /^\/app\/assets\/client-[\w-]+\.js$/.test(p));
  assert.equal(chunks(requests).length, 1, `the API chunk once: ${requests.join(', ')}`);
  assert.equal(requests.filter((p) => p === '/api/session').length, 1, 'the session claimed once');
  // A reload asks for the popup's own page, never the launch again, and carries on with the session.
  requests.length = 0;
  await popup.reload();
  await popup.getByText(/Taxi · €42\.50 · /).waitFor();
  assert.deepEqual(
    requests.filter((p) => p === '/launchexternalurl/v4/form' || p === '/app/'),
    ['/app/'],
    'the reload asked for the popup, not for the launch',
  );
  assert.equal(popup.url(), `${server().url}/app/`);
  assert.equal(await popup.evaluate(() => history.length), 1);
  await popup.getByRole('combobox').fill('PRJ-1042');
  await popup.getByRole('option', { name: /PRJ-1042/ }).waitFor();
  await popup.close();
  await page.close();
});

test('Cancel closes the popup and writes nothing', async () => {
  const page = await openSimulator();
  const popup = await openPopup(page);
  // Choose by keyboard once the results are there, so no click can land on a list still being laid out.
  await popup.getByRole('combobox').fill('frankfurt');
  await popup.keyboard.press('Enter');
  await popup.getByText('Selected: PRJ-1042').waitFor();
  const closed = popup.waitForEvent('close');
  // Cancel closes the window inside the click itself: a click that ends with its page gone has done its job.
  await popup
    .getByRole('button', { name: 'Cancel' })
    .click()
    .catch((error: unknown) => {
      if (!popup.isClosed()) throw error;
    });
  await closed;
  assert.equal(server().sandbox!.fieldValue(EXPENSE, 'custom12'), null);
  await page.close();
});

test('the parts loaded after the search box: a failed load says so or falls back, and is tried again', async () => {
  const page = await browser().newPage({ viewport: { width: 400, height: 400 } });
  // The code that talks to the connector fails to load once; the list's virtualizer until it is let through.
  const requested = { client: 0, virtualizer: 0 };
  let clientFailures = 1;
  let virtualizerBlocked = true;
  await page.route(/\/app\/assets\/client-[\w-]+\.js$/, (route) => {
    requested.client++;
    return clientFailures-- > 0 ? route.abort('connectionfailed') : route.continue();
  });
  await page.route(/\/app\/assets\/lit-virtualizer-[\w-]+\.js$/, (route) => {
    requested.virtualizer++;
    return virtualizerBlocked ? route.abort('connectionfailed') : route.continue();
  });
  await page.goto(`${server().url}/sandbox/launch?expense=${EXPENSE}&field=custom12`);
  const alert = page.getByRole('alert');
  await alert.waitFor();
  assert.match(await alert.innerText(), /Could not reach the connector\. Check your connection and try again\./);
  await page.getByRole('button', { name: 'Retry' }).click();
  await page.getByText(/Taxi · €42\.50 · /).waitFor();
  assert.equal(requested.client, 2, 'Retry asked for the code again');

  // Without the virtualizer the results are a plain list...
  await page.getByRole('option').first().waitFor();
  assert.equal(await page.locator('lit-virtualizer').count(), 0);
  assert.ok(requested.virtualizer >= 1);
  // ...and the next results try to load it again.
  virtualizerBlocked = false;
  await page.getByRole('combobox', { name: 'Search values' }).fill('frankfurt');
  await page.locator('lit-virtualizer').waitFor({ state: 'attached' });
  await page.getByRole('option', { name: /PRJ-1042/ }).click();
  await page.getByText('Selected: PRJ-1042').waitFor();
  await page.close();
});

test('the launch URL cannot be replayed: opening it again shows a page that says so', async () => {
  const page = await browser().newPage();
  const launchUrls: string[] = [];
  page.on('request', (r) => {
    if (r.url().includes('/launchexternalurl/v4/form')) launchUrls.push(r.url());
  });
  await page.goto(`${server().url}/sandbox/launch?expense=${EXPENSE}&field=custom12`);
  await page.getByRole('combobox').waitFor();
  const again = await page.goto(launchUrls[0]!);
  assert.equal(again?.status(), 401);
  assert.match(await page.getByRole('heading').innerText(), /already been used/);
  await page.close();
});

test('a report header launch writes the header field', async () => {
  const page = await openSimulator();
  const popup = await openPopup(page, `Choose Cost centre for report ${SANDBOX_REPORT.name}`);
  await popup.getByText(/Report: November client visit · €352\.50/).waitFor();
  await chooseAndClose(popup, 'CC-200', 'CC-200');
  assert.equal(server().sandbox!.headerFieldValue(SANDBOX_REPORT.id, 'custom5'), 'CC-200');
  await waitForField(page, `Cost centre, report ${SANDBOX_REPORT.name}`, 'CC-200');
  await page.close();
});

test('an allocation launch writes that allocation only', async () => {
  const page = await openSimulator();
  const popup = await openPopup(page, 'Choose Project for allocation 40 %');
  await popup.getByText(/Allocation · 40% · €124\.00/).waitFor();
  await chooseAndClose(popup, 'zurich data', 'PRJ-1011');
  assert.equal(server().sandbox!.allocationFieldValue(SANDBOX_IDS.hotelAllocationB, 'custom9'), 'PRJ-1011');
  assert.equal(server().sandbox!.allocationFieldValue(SANDBOX_IDS.hotelAllocationA, 'custom9'), null);
  await waitForField(page, 'Project, allocation 40 %', 'PRJ-1011');
  await page.close();
});

test('an entry on a submitted report is written through the submitted-report path', async () => {
  const page = await openSimulator();
  const popup = await openPopup(page, 'Choose Project for Train');
  await popup.getByText('This report has been submitted.').waitFor();
  await chooseAndClose(popup, 'lisbon', 'PRJ-1004');
  assert.equal(server().sandbox!.fieldValue(SANDBOX_IDS.train, 'custom12'), 'PRJ-1004');
  await waitForField(page, 'Project, Train', 'PRJ-1004');
  await page.close();
});

test('a delegate sees whose report it is and writes to it', async () => {
  const page = await openSimulator();
  await page.getByLabel('Logged in as').selectOption('delegate');
  const popup = await openPopup(page);
  await popup.getByText('You are working on the report of employee EMP-00042, as a delegate.').waitFor();
  await chooseAndClose(popup, 'frankfurt office', 'PRJ-1042');
  assert.equal(server().sandbox!.fieldValue(EXPENSE, 'custom12'), 'PRJ-1042');
  await page.close();
});

test('a second launch into the open popup window works on the item it names, not the first one', async () => {
  const page = await openSimulator();
  const first = await openPopup(page);
  await first.getByText(/Taxi · €42\.50/).waitFor();
  // Concur reuses the named window: the second click navigates the same popup.
  const [second] = await Promise.all([
    first.waitForEvent('framenavigated').then(() => first),
    page.getByRole('button', { name: 'Choose Project for Hotel' }).click(),
  ]);
  await second.getByText(/Hotel · €310\.00/).waitFor();
  await chooseAndClose(second, 'CC-300', 'CC-300');
  assert.equal(server().sandbox!.fieldValue(SANDBOX_IDS.hotel, 'custom12'), 'CC-300');
  assert.equal(server().sandbox!.fieldValue(EXPENSE, 'custom12'), null, 'the first item is untouched');
  await page.close();
});

test("a travel request field lists the traveller's requests from Concur and writes the request id", async () => {
  const page = await openSimulator();
  const popup = await openPopup(page, 'Choose Travel request for Taxi');
  await popup.getByText('3KX9').waitFor();
  await popup.getByText(/Not available: cancelled/).waitFor();
  await chooseAndClose(popup, 'frankfurt', '3KX9');
  assert.equal(server().sandbox!.fieldValue(EXPENSE, 'custom14'), '3KX9');
  await waitForField(page, 'Travel request, Taxi', '3KX9');
  await page.close();
});

test('a connected Concur list is chosen level by level, and its item id is written', async () => {
  const page = await openSimulator();
  const popup = await openPopup(page, 'Choose Client project for Taxi');
  await popup.getByRole('option', { name: /Europe/ }).click();
  await popup.getByRole('button', { name: 'Back to the previous level' }).waitFor();
  await chooseAndClose(popup, 'allianz', 'ALZ');
  const written = server().sandbox!.fieldValue(EXPENSE, 'custom15');
  assert.equal(
    [...server().sandbox!.listItems.values()].find((i) => i.id === written)?.value,
    'Allianz claims platform',
  );
  await page.close();
});
