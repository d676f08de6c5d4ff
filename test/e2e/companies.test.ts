// End to end, two companies in the sandbox: the simulator switches to Gina at Globex, the sandbox's registered
// company; her popup searches Globex's own cost centres (not the sandbox company's projects), and the value she picks
// is written to her entry with Globex's own company token.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SANDBOX_GLOBEX } from '../../server/sandbox/concur-state.ts';
import { useSandboxAndBrowser } from './sandbox-browser.ts';

const { server, browser } = useSandboxAndBrowser({ resetEachTest: false });

test("as Gina at Globex, the popup searches Globex's catalog and the pick lands on her entry", async () => {
  const page = await browser().newPage({ viewport: { width: 1000, height: 1400 } });
  await page.goto(`${server().url}/`);
  await page.getByRole('combobox', { name: 'Logged in as' }).selectOption('globex');
  await page.getByRole('heading', { name: 'Expense reports of Gina Globex (Globex)' }).waitFor();
  const button = page.getByRole('button', { name: 'Choose Project for Airfare' });
  const [popup] = await Promise.all([page.waitForEvent('popup'), button.click()]);
  const box = popup.getByRole('combobox', { name: 'Search values' });
  await box.waitFor();
  await popup.getByText(/Airfare · €418\.20 · /).waitFor();

  // The sandbox company's projects are not Globex's: nothing is found for them.
  await box.fill('frankfurt');
  await popup.getByText('No values match “frankfurt”.').waitFor();
  await box.fill('trade fairs');
  await popup.getByRole('option', { name: /GLX-CC-310/ }).waitFor();
  await popup.keyboard.press('Enter');
  await popup.getByText('Selected: GLX-CC-310').waitFor();
  const closed = popup.waitForEvent('close');
  await popup.getByRole('button', { name: 'Done' }).click();
  await closed;

  assert.equal(server().sandbox!.fieldValue(SANDBOX_GLOBEX.expense, 'custom12'), 'GLX-CC-310');
  const write = server().sandbox!.writes.at(-1)!;
  assert.deepEqual(write.principal, { kind: 'company', companyId: SANDBOX_GLOBEX.companyId }, "Globex's own token");
  await page.close();
});
