// End to end on Concur Request: the real server with its sandbox, Debian's Chromium, the simulated travel-request
// forms, the popup, the Request v4 write, the popup closed and the form showing the value.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { SANDBOX_TRAVEL_REQUESTS, SANDBOX_USER } from '../../server/sandbox/concur-state.ts';
import { SANDBOX_REQUEST_IDS } from '../../server/sandbox/request-state.ts';
import { chooseAndClose } from '../chromium.ts';
import { E2E_OUT as OUT, useSandboxAndBrowser, waitForField } from './sandbox-browser.ts';

const FRANKFURT = SANDBOX_TRAVEL_REQUESTS.frankfurt;
const sandbox = useSandboxAndBrowser();
const server = () => sandbox.server();

/** The travel-request forms, reached from the sandbox's start page as a user finds them. */
async function openRequests(): Promise<Page> {
  const page = await sandbox.browser().newPage({ viewport: { width: 1000, height: 1400 } });
  await page.goto(`${server().url}/`);
  await page.getByRole('link', { name: 'Travel requests (Concur Request)' }).click();
  await page.getByRole('button', { name: `Choose Cost centre for request ${FRANKFURT.name}` }).waitFor();
  return page;
}

async function openPopup(page: Page, button: string): Promise<Page> {
  const [popup] = await Promise.all([page.waitForEvent('popup'), page.getByRole('button', { name: button }).click()]);
  await popup.waitForLoadState();
  return popup;
}

test("a travel request's header: the popup names the request and its dates; Done writes it and closes", async () => {
  const page = await openRequests();
  const popup = await openPopup(page, `Choose Cost centre for request ${FRANKFURT.name}`);
  await popup.getByRole('combobox', { name: 'Search values' }).waitFor();
  // Nothing of the launch is left in the address bar.
  assert.equal(new URL(popup.url()).search, '');
  await popup.getByText(/^Request: Frankfurt client visit · .*\b1[03]\b.*2026$/).waitFor();
  await popup.getByText('This travel request has been submitted.').waitFor();
  await popup.screenshot({ path: `${OUT}/request-header-400x400.png` });
  await chooseAndClose(popup, 'frankfurt', 'PRJ-1042');

  const forms = server().sandbox!.requestForms;
  assert.equal(forms.headerValue(FRANKFURT.id, 'custom5'), 'PRJ-1042', 'Concur Request holds the value');
  assert.deepEqual(
    forms.writes.map((w) => [w.path, w.principal]),
    [['request', { kind: 'user', userId: SANDBOX_USER.id }]],
  );
  await waitForField(page, `Cost centre, request ${FRANKFURT.name}`, 'PRJ-1042');
  await page.close();
});

test('a wizard on an expected expense writes its fields in one PUT with the company token', async () => {
  const page = await openRequests();
  const popup = await openPopup(page, 'Choose Project and task for Taxi');
  await popup.locator('leu-wizard .progress').waitFor();
  await popup.getByText(/Taxi · €60\.00/).waitFor();
  await popup.getByText(/Request: Frankfurt client visit/).waitFor();

  // The project, a task within it, billable: Next after each, then the review and Done.
  await popup.getByRole('combobox').fill('website');
  await popup.getByRole('option', { name: /PRJ-1001/ }).click();
  await popup.getByRole('button', { name: 'Next' }).click();
  await popup.locator('leu-wizard .progress', { hasText: 'Step 2 of 4' }).waitFor();
  await popup.getByRole('combobox').fill('devel');
  await popup.getByRole('option', { name: /T-1001-DEV/ }).click();
  await popup.getByRole('button', { name: 'Next' }).click();
  await popup.locator('leu-wizard .progress', { hasText: 'Step 3 of 4' }).waitFor();
  await popup.getByRole('radio', { name: 'Yes' }).check();
  await popup.getByRole('button', { name: 'Next' }).click();
  await popup.locator('leu-wizard .progress', { hasText: 'Step 4 of 4' }).waitFor();
  await popup.screenshot({ path: `${OUT}/request-wizard-review.png` });
  const closed = popup.waitForEvent('close');
  await popup.getByRole('button', { name: 'Done' }).click();
  await closed;

  const forms = server().sandbox!.requestForms;
  const written = (id: string) => forms.expenseValue(SANDBOX_REQUEST_IDS.taxi, id);
  assert.deepEqual(['custom16', 'custom17', 'custom18'].map(written), ['PRJ-1001', 'T-1001-DEV', 'Y']);
  assert.equal(forms.writes.length, 1, 'one update for the whole wizard');
  assert.equal(forms.writes[0]!.path, 'expected-expense');
  assert.equal(forms.writes[0]!.principal.kind, 'company');
  assert.equal(forms.writes[0]!.userId, SANDBOX_USER.id);
  await page.locator('dd[data-field=custom17]', { hasText: 'T-1001-DEV' }).waitFor();
  await page.screenshot({ path: `${OUT}/request-simulator-after-wizard.png` });
  await page.close();
});
