// End to end in Chromium: the company connection the App Center way. The simulator's App Center panel disconnects
// the company (the popup then tells the user their administrator must connect the app, before they choose
// anything), connects it again through the connector's real landing page, and an entry is then written with the
// company's token.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { SANDBOX_COMPANY, SANDBOX_IDS } from '../../server/sandbox/concur-state.ts';
import { E2E_OUT as OUT, useSandboxAndBrowser } from './sandbox-browser.ts';

const TAXI = 'Choose Project for Taxi';

const { server, browser } = useSandboxAndBrowser({ resetEachTest: false });

const panel = (page: Page) => page.getByRole('region', { name: 'App Center' });

test('disconnect, see the popup say the administrator must connect, connect again on the landing page, write', async () => {
  const page = await browser().newPage({ viewport: { width: 1000, height: 1600 } });
  await page.goto(`${server().url}/`);
  await page.getByRole('button', { name: TAXI }).waitFor();
  await panel(page).getByText(`Connected: company ${SANDBOX_COMPANY.id}`).waitFor();

  // App Center's Disconnect: Concur revokes the company's tokens; the connector marks the connection disconnected.
  await panel(page).getByRole('button', { name: 'Disconnect' }).click();
  await panel(page)
    .getByText(/Disconnected: .*error 108/)
    .waitFor();
  assert.equal((await server().deps.company.status())?.connected, false);

  // The popup says so before anything can be chosen, and offers only Close.
  const [blocked] = await Promise.all([page.waitForEvent('popup'), page.getByRole('button', { name: TAXI }).click()]);
  await blocked
    .getByRole('alert')
    .getByText(/not connected to your company in Concur yet/)
    .waitFor();
  assert.match(await blocked.getByRole('alert').innerText(), /administrator must connect it \(App Center, Connect\)/);
  assert.equal(await blocked.getByRole('combobox').count(), 0, 'no search is offered');
  await blocked.screenshot({ path: `${OUT}/popup-not-connected.png` });
  const closedBlocked = blocked.waitForEvent('close');
  // The window closes as the click lands: Playwright may then report the page closed mid-click (seen in CI).
  await blocked
    .getByRole('button', { name: 'Close' })
    .click()
    .catch((error: unknown) => {
      if (!blocked.isClosed()) throw error;
    });
  await closedBlocked;

  // App Center's Connect: a new 800 x 600 window on the landing page; nothing is exchanged until Connect.
  const grantsBefore = server().sandbox!.grants.password;
  const [landing] = await Promise.all([
    page.waitForEvent('popup'),
    panel(page).getByRole('button', { name: 'Connect' }).click(),
  ]);
  await landing.getByRole('heading', { name: /Connect .* to SAP Concur/ }).waitFor();
  assert.deepEqual(landing.viewportSize(), { width: 800, height: 600 });
  assert.equal(landing.url(), `${server().url}/concur/connect/confirm`, 'no request token in the address bar');
  assert.match(await landing.innerText('body'), /an integration for SAP Concur/);
  await landing.getByRole('link', { name: 'Privacy policy' }).waitFor();
  await landing.getByRole('link', { name: 'Support' }).waitFor();
  assert.equal(server().sandbox!.grants.password, grantsBefore, 'not exchanged before the administrator confirms');
  const connectButton = landing.getByRole('button', { name: 'Connect' });
  assert.ok(await connectButton.isVisible(), 'Connect is visible without scrolling at 800 x 600');
  await landing.screenshot({ path: `${OUT}/connect-landing-800x600.png` });
  await connectButton.click();
  await landing
    .getByRole('status')
    .getByText(/is now connected to your company in SAP Concur/)
    .waitFor();
  await landing.getByRole('heading', { name: 'Next steps' }).waitFor();
  assert.equal(server().sandbox!.grants.password, grantsBefore + 1);
  await landing.close();
  await panel(page).getByText(`Connected: company ${SANDBOX_COMPANY.id}`).waitFor();

  // A launch on the entry: written with the company's token, on the short path.
  const [popup] = await Promise.all([page.waitForEvent('popup'), page.getByRole('button', { name: TAXI }).click()]);
  await popup.getByText(/Taxi · €42\.50 · /).waitFor();
  await popup.getByRole('combobox', { name: 'Search values' }).fill('PRJ-1042');
  await popup.getByRole('option', { name: /PRJ-1042/ }).click();
  const closed = popup.waitForEvent('close');
  await popup.getByRole('button', { name: 'Done' }).click();
  await closed;
  assert.equal(server().sandbox!.fieldValue(SANDBOX_IDS.taxi, 'custom12'), 'PRJ-1042');
  const write = server().sandbox!.writes.at(-1)!;
  assert.equal(write.path, 'entry');
  assert.equal(write.principal.kind, 'company');
  await page.close();
});
