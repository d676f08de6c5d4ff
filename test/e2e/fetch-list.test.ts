// End to end: the real server with its sandbox, Debian's Chromium, the simulator's native Concur list field. Typing
// in it makes the sandbox post Concur's <fetch-list-request> to the connector's Fetch List endpoint with the
// connector's pair; the items it answers are listed, and picking a project narrows the tasks to that project's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { SANDBOX_DEFAULTS } from '../../server/config.ts';
import { E2E_OUT as OUT, useSandboxAndBrowser } from './sandbox-browser.ts';

const { server, browser } = useSandboxAndBrowser({ resetEachTest: false });

async function openSimulator(): Promise<Page> {
  const page = await browser().newPage({ viewport: { width: 1000, height: 1600 } });
  await page.goto(`${server().url}/`);
  await page.getByRole('combobox', { name: 'Project from the Concur list, Taxi' }).waitFor();
  return page;
}

test('type in the Concur list field: the connector answers the project, then the tasks of that project', async () => {
  const page = await openSimulator();
  const calls: string[] = [];
  page.on('request', (r) => calls.push(r.url()));
  const project = page.getByRole('combobox', { name: 'Project from the Concur list, Taxi' });
  const task = page.getByRole('combobox', { name: 'Task from the Concur list, Taxi' });
  assert.equal(await task.isDisabled(), true, 'the task waits for a project');

  // Typo-tolerant, as in the popup: "frankfrut" finds the Frankfurt office move.
  await project.pressSequentially('frankfrut', { delay: 30 });
  const office = page.getByRole('option', { name: '(P1042) Office move Frankfurt' });
  await office.waitFor();
  await page.keyboard.press('Enter');
  assert.equal(await project.inputValue(), '(P1042) Office move Frankfurt');

  await task.pressSequentially('plan', { delay: 30 });
  await page.getByRole('option', { name: '(PLN1042) Move planning' }).waitFor();
  assert.equal(await page.getByRole('listbox').getByRole('option').count(), 1, "only the Frankfurt move's own tasks");
  await page.getByRole('option', { name: '(PLN1042) Move planning' }).click();
  await page.getByText('Saved with the expense as P1042-PLN1042').first().waitFor();
  await page.screenshot({ path: `${OUT}/fetch-list-field.png` });

  // The browser asked the sandbox only; the connector's password never reached it.
  assert.ok(calls.length > 0 && calls.every((u) => new URL(u).pathname === '/sandbox/fetch-list'), calls.join(' '));
  await page.close();
});

test('search by code with a wildcard lists the matching short codes', async () => {
  const page = await openSimulator();
  await page.getByRole('combobox', { name: 'Search by' }).first().selectOption('CODE');
  await page.getByRole('combobox', { name: 'Project from the Concur list, Taxi' }).fill('P100');
  await page.getByRole('option', { name: /^\(P1001\) / }).waitFor();
  const names = await page.getByRole('listbox').getByRole('option').allTextContents();
  assert.deepEqual(
    names.map((n) => n.trim().split(' ')[0]),
    ['(P1001)', '(P1002)', '(P1003)', '(P1004)'],
  );
  await page.close();
});

test("the sandbox's callout is Concur's: its endpoint wants the pair, and answers XML with it", async () => {
  const url = `${server().url}/concur/list/v1.2/fetch`;
  const body = '<fetch-list-request><query>*</query><search-by>CODE</search-by></fetch-list-request>';
  assert.equal((await fetch(url, { method: 'POST', body })).status, 401);
  const { connectorUsername: user, connectorPassword: password } = SANDBOX_DEFAULTS;
  const res = await fetch(url, {
    method: 'POST',
    body,
    headers: { authorization: `Basic ${btoa(`${user}:${password}`)}`, 'content-type': 'application/xml' },
  });
  assert.equal(res.status, 200);
  assert.match(await res.text(), /^<fetch-list-response><item><code>P1001<\/code><short-code>P1001<\/short-code>/);
});
