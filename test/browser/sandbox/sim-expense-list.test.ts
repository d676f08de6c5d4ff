// The sandbox's simulated expense form, against the fake Concur's own msw handlers running in the browser.
import '../setup.ts';
import { assert, expect, fixture, html, waitUntil } from '@open-wc/testing';
import { setupWorker } from 'msw/browser';
import { http, HttpResponse } from 'msw';
import { SandboxConcur, SANDBOX_COMPANY, SANDBOX_USER } from '../../../server/sandbox/concur-state.ts';
import { concurHandlers } from '../../../server/sandbox/concur-handlers.ts';
import '../../../server/sandbox/simulator/sim-expense-list.ts';
import type { SimExpenseListElement } from '../../../server/sandbox/simulator/sim-expense-list.ts';

const EXPENSE = '84FCBB92BD4E5342B849DAC29FD163A1';
const concur = new SandboxConcur({
  base: `${location.origin}/sandbox/concur`,
  clientId: 'sim-client',
  clientSecret: 'sim-secret',
  redirectUri: 'https://connector.example.com/cb',
});
/** The server's list of the sandbox's wizard fields (from examples/fields.json). */
const FLOWS = [
  {
    id: 'custom16',
    label: 'Project and task',
    writes: [
      { field: 'custom16', label: 'Project' },
      { field: 'custom17', label: 'Task' },
    ],
  },
];
const worker = setupWorker(
  ...concurHandlers(concur),
  http.get('/sandbox/flows', () => HttpResponse.json(FLOWS)),
  // The connector's view of the company connection, for the App Center panel.
  http.get('/sandbox/app-center', () =>
    HttpResponse.json({
      connection: { companyId: SANDBOX_COMPANY.id, connected: true, refreshedAt: Date.now() },
      connectUrl: '/concur/connect?id=x',
    }),
  ),
);

before(() => worker.start({ quiet: true, onUnhandledFrame: 'error', serviceWorker: { url: '/mockServiceWorker.js' } }));
beforeEach(() => concur.reset());
after(() => worker.stop());

const field = (el: SimExpenseListElement) =>
  el.shadowRoot!.querySelector<HTMLInputElement>('input[aria-label="Project, Taxi"]')!;

/**
 * What the connector does after the user presses Done: exchange the code and read the entry with the user's token,
 * then PATCH the entry on the short path with the company's token (protocol sheet §5).
 */
async function connectorWrites(code: string, value: string) {
  const grant = (fields: Record<string, string>) =>
    fetch(`${concur.base}/oauth2/v0/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_id: 'sim-client', client_secret: 'sim-secret', ...fields }).toString(),
    }).then((r) => r.json() as Promise<{ access_token: string }>);
  const user = await grant({
    grant_type: 'authorization_code',
    code,
    redirect_uri: 'https://connector.example.com/cb',
  });
  const read = await fetch(concur.entryUrl(concur.expenses.get(EXPENSE)!), {
    headers: { authorization: `Bearer ${user.access_token}` },
  });
  expect(read.status).to.equal(200);
  const company = await grant({
    grant_type: 'password',
    credtype: 'authtoken',
    username: SANDBOX_COMPANY.id,
    password: concur.issueCompanyRequestToken(),
  });
  const expense = concur.expenses.get(EXPENSE)!;
  const res = await fetch(`${concur.base}/expensereports/v4/reports/${expense.reportId}/expenses/${EXPENSE}`, {
    method: 'PATCH',
    headers: { authorization: `Bearer ${company.access_token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ customData: [{ id: 'custom12', value, isValid: true }], expenseSource: 'OTHER' }),
  });
  expect(res.status).to.equal(204);
}

describe('sim-expense-list', () => {
  it('shows the entry as Concur would, with an empty read-only Project field and its button', async () => {
    const el = await fixture<SimExpenseListElement>(
      html`<sim-expense-list concur-base="/sandbox/concur"></sim-expense-list>`,
    );
    await waitUntil(() => el.shadowRoot!.querySelector('section[aria-label^="Report "]'));
    const text = el.shadowRoot!.textContent.replace(/\s+/g, ' ');
    expect([...el.shadowRoot!.querySelectorAll('dd')].map((d) => d.textContent)).to.include.members([
      'Taxi',
      'Hotel',
      'Train',
    ]);
    expect(text).to.contain('€42.50');
    expect(text).to.contain('2026-11-12');
    expect(text).to.contain('Submitted, pending approval');
    expect(field(el).value).to.equal('');
    expect(field(el).readOnly).to.equal(true);
    // All three launch sources are offered.
    for (const name of [
      'Choose Cost centre for report November client visit',
      'Choose Project for Taxi',
      'Choose Project for allocation 60 %',
    ]) {
      assert.exists(el.shadowRoot!.querySelector(`button[aria-label="${name}"]`), name);
    }
    await expect(el).to.be.accessible();
  });

  it('opens the popup like Concur and re-reads the entry when the popup closes', async () => {
    const el = await fixture<SimExpenseListElement>(
      html`<sim-expense-list concur-base="/sandbox/concur"></sim-expense-list>`,
    );
    await waitUntil(() => el.shadowRoot!.querySelector('section[aria-label^="Report "]'));
    const fakePopup = { closed: false };
    const opened: [string, string, string][] = [];
    const realOpen = window.open.bind(window);
    window.open = ((url: string, name: string, features: string) => {
      opened.push([url, name, features]);
      return fakePopup;
    }) as typeof window.open;
    try {
      el.shadowRoot!.querySelector<HTMLButtonElement>('button[aria-label="Choose Project for Taxi"]')!.click();
    } finally {
      window.open = realOpen;
    }
    expect(opened).to.have.length(1);
    const [url, , features] = opened[0]!;
    expect(url).to.match(
      new RegExp(`^/sandbox/launch\\?source=ENTRY&expense=${EXPENSE}&field=custom12&as=owner&lang=`),
    );
    expect(features).to.equal('popup,width=400,height=400');
    await el.updateComplete;
    expect(el.shadowRoot!.textContent).to.contain('The popup is open');

    await connectorWrites(concur.issueAuthCode(SANDBOX_USER.id), 'PRJ-1042');
    await new Promise((r) => setTimeout(r, 400));
    expect(field(el).value, 'no reload while the popup is open').to.equal('');
    fakePopup.closed = true;
    await waitUntil(() => field(el).value === 'PRJ-1042', 'the form shows the written value after the popup closes');
  });

  it('has a button for each wizard, shows the fields it writes, and launches in the chosen language and device', async () => {
    concur.expenses.get(EXPENSE)!.customData.find((f) => f.id === 'custom17')!.value = 'T-1001-DES';
    const el = await fixture<SimExpenseListElement>(
      html`<sim-expense-list concur-base="/sandbox/concur"></sim-expense-list>`,
    );
    await waitUntil(() => el.shadowRoot!.querySelector('button[aria-label="Choose Project and task for Taxi"]'));
    expect(el.shadowRoot!.querySelector('dd[data-field=custom17]')!.textContent).to.equal('T-1001-DES');
    const language =
      el.shadowRoot!.querySelector<HTMLSelectElement>('select:not(:first-of-type)') ??
      [...el.shadowRoot!.querySelectorAll('select')][1]!;
    language.value = 'de_DE';
    language.dispatchEvent(new Event('change'));
    const mobile = el.shadowRoot!.querySelector<HTMLInputElement>('input[type=checkbox]')!;
    mobile.checked = true;
    mobile.dispatchEvent(new Event('change'));
    const opened: string[] = [];
    const realOpen = window.open.bind(window);
    window.open = ((url: string) => {
      opened.push(url);
      return { closed: false };
    }) as typeof window.open;
    try {
      el.shadowRoot!.querySelector<HTMLButtonElement>('button[aria-label="Choose Project and task for Taxi"]')!.click();
    } finally {
      window.open = realOpen;
    }
    const query = new URLSearchParams(opened[0]!.split('?')[1]);
    expect([query.get('field'), query.get('lang'), query.get('mobile')]).to.deep.equal(['custom16', 'de_DE', 'true']);
    await expect(el).to.be.accessible();
  });
});
