// <leu-popup> on a Concur Request launch: the header names the travel request and its dates, and says "request"
// where an Expense launch says "report".
import '../setup.ts';
import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import { http, HttpResponse } from 'msw';
import { createApiClient } from '../../../src/api/client.ts';
import '../../../src/elements/leu-popup.ts';
import type { LeuPopupElement } from '../../../src/elements/leu-popup.ts';
import type { SessionContext } from '../../../src/contract/api.ts';
import { CONTEXT, apiHandlers, memoryStorage, startWorker, worker } from '../fake-api.ts';
import { FRANKFURT_REQUEST_ITEM, FRANKFURT_REQUEST_REPORT } from '../../request-context.ts';

before(startWorker);
afterEach(() => worker.resetHandlers(...apiHandlers));
after(() => worker.stop());

async function headerText(context: SessionContext) {
  worker.use(http.get('/api/context', () => HttpResponse.json(context)));
  const el = await fixture<LeuPopupElement>(
    html`<leu-popup .api=${createApiClient({ storage: memoryStorage() })}></leu-popup>`,
  );
  await waitUntil(() => el.shadowRoot!.querySelector('header p.item'), 'the context has loaded');
  return el.shadowRoot!.querySelector('header')!.textContent.replace(/\s+/g, ' ');
}

describe('leu-popup on a travel request', () => {
  it("a header launch shows the request's name and dates, and the current value", async () => {
    const text = await headerText({
      ...CONTEXT,
      product: 'request',
      item: FRANKFURT_REQUEST_ITEM,
      report: FRANKFURT_REQUEST_REPORT,
      field: { id: 'custom5' },
      currentValue: 'PRJ-1010',
      currentItem: { code: 'PRJ-1010', label: 'Zürich data centre migration' },
    } satisfies SessionContext);
    expect(text).to.match(/Request: Frankfurt client visit · 10 ?– ?13 Nov 2026/);
    expect(text).to.contain('This travel request has been submitted.');
    expect(text).not.to.contain('report');
    expect(text).to.contain('Current value: PRJ-1010 Zürich data centre migration');
  });

  it('an expected expense shows the expense, then its request; a delegate is told whose request it is', async () => {
    const text = await headerText({
      ...CONTEXT,
      product: 'request',
      report: { ...FRANKFURT_REQUEST_REPORT, submitted: false, onBehalfOfOwner: true },
    } satisfies SessionContext);
    expect(text).to.contain('Taxi · €42.50 · 12 Nov 2026');
    expect(text).to.match(/Request: Frankfurt client visit · 10 ?– ?13 Nov 2026/);
    expect(text).to.contain('You are working on the travel request of employee EMP-00042, as a delegate.');
    expect(text).not.to.contain('submitted');
  });

  it('an Expense launch still speaks of its report', async () => {
    const text = await headerText({ ...CONTEXT, report: { ...CONTEXT.report, submitted: true } });
    expect(text).to.contain('Report: November client visit');
    expect(text).to.contain('This report has been submitted.');
  });
});
