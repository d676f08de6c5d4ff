// <leu-popup>: the context, choosing, Done only after the server confirms, failures with Retry, Cancel.
import '../setup.ts';
import { aTimeout, expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import { http, HttpResponse, delay } from 'msw';
import { sendKeys } from '@web/test-runner-commands';
import * as client from '../../../src/api/client.ts';
import { createApiClient } from '../../../src/api/client.ts';
import { createLazyApiClient } from '../../../src/api/lazy-client.ts';
import '../../../src/elements/leu-popup.ts';
import type { LeuPopupElement } from '../../../src/elements/leu-popup.ts';
import type { LeuSearchElement } from '../../../src/elements/leu-search.ts';
import { PopupCloseEvent } from '../../../src/elements/events.ts';
import {
  CONTEXT,
  ITEMS,
  TOKEN,
  WIZARD_CONTEXT,
  apiHandlers,
  errorBody,
  memoryStorage,
  received,
  startWorker,
  worker,
} from '../fake-api.ts';

before(startWorker);
beforeEach(() => {
  received.length = 0;
});
afterEach(() => worker.resetHandlers(...apiHandlers));
after(() => worker.stop());

async function mount(storage = memoryStorage()) {
  const el = await fixture<LeuPopupElement>(html`<leu-popup .api=${createApiClient({ storage })}></leu-popup>`);
  await waitUntil(() => search(el)?.shadowRoot?.querySelector('[role=option]'), 'the popup is ready');
  return el;
}
const root = (el: LeuPopupElement) => el.shadowRoot!;
const search = (el: LeuPopupElement) => root(el).querySelector<LeuSearchElement>('leu-search');
const button = (el: LeuPopupElement, name: string) =>
  [...root(el).querySelectorAll('button')].find((b) => b.textContent.trim() === name)!;
const pick = async (el: LeuPopupElement, index: number) => {
  // The first option is the user's recent pick; the results follow.
  (search(el)!.shadowRoot!.querySelectorAll('[role=option]')[index + 1] as HTMLElement).click();
  await el.updateComplete;
};

describe('leu-popup', () => {
  it('claims its session once, then shows what the user is working on', async () => {
    const storage = memoryStorage();
    const el = await mount(storage);
    expect(received[0]).to.include({ method: 'POST', path: '/api/session' });
    expect(received.filter((r) => r.path === '/api/session')).to.have.length(1);
    expect(
      received.filter((r) => r.path !== '/api/session').every((r) => r.authorization === `Bearer ${TOKEN}`),
    ).to.equal(true);
    expect(storage.data.get('leu.session')).to.equal(TOKEN);
    const text = root(el).textContent.replace(/\s+/g, ' ');
    expect(text).to.contain('Taxi · €42.50 · 12 Nov 2026');
    expect(text).to.contain('Current value: none');
    expect(button(el, 'Done').disabled).to.equal(true);
    await expect(el).to.be.accessible();
  });

  it('after a reload (no hand-off left to claim) it carries on with the stored session', async () => {
    worker.use(
      http.post('/api/session', () => HttpResponse.json(errorBody('session_missing', 'ended'), { status: 401 })),
    );
    const storage = memoryStorage();
    storage.setItem('leu.session', 'stored-token-from-before-the-reload-000');
    await mount(storage);
    expect(received[0]).to.include({ method: 'POST', path: '/api/session' });
    expect(
      received
        .filter((r) => r.path !== '/api/session')
        .every((r) => r.authorization === 'Bearer stored-token-from-before-the-reload-000'),
    ).to.equal(true);
    expect(storage.data.get('leu.session')).to.equal('stored-token-from-before-the-reload-000');
  });

  it('a new launch in the same window replaces the stored session with its own', async () => {
    const storage = memoryStorage();
    storage.setItem('leu.session', 'token-of-the-previous-launch-0000000000');
    await mount(storage);
    expect(storage.data.get('leu.session')).to.equal(TOKEN);
    expect(
      received.filter((r) => r.path !== '/api/session').every((r) => r.authorization === `Bearer ${TOKEN}`),
    ).to.equal(true);
  });

  it('describes a report header and an allocation, and says when the user acts for someone else', async () => {
    worker.use(
      http.get('/api/context', () =>
        HttpResponse.json({
          ...CONTEXT,
          item: { kind: 'HEADER', reportName: 'November client visit', total: { value: 352.5, currency: 'EUR' } },
          report: { ...CONTEXT.report, onBehalfOfOwner: true, submitted: true },
        }),
      ),
    );
    const el = await mount();
    const text = root(el).textContent.replace(/\s+/g, ' ');
    expect(text).to.contain('Report: November client visit · €352.50');
    expect(text).to.contain('You are working on the report of employee EMP-00042, as a delegate.');
    expect(text).to.contain('This report has been submitted.');
  });

  it('describes an allocation by its percentage and amount', async () => {
    worker.use(
      http.get('/api/context', () =>
        HttpResponse.json({
          ...CONTEXT,
          item: { kind: 'ALLOCATION', percentage: 60, amount: { value: 186, currency: 'EUR' } },
        }),
      ),
    );
    const el = await mount();
    const text = root(el).textContent.replace(/\s+/g, ' ');
    expect(text).to.contain('Allocation · 60% · €186.00');
    expect(text).to.contain('Report: November client visit');
    expect(text).not.to.contain('as a delegate');
  });

  it('odd data from Concur (an unknown currency, a malformed date) is shown raw, not a blank popup', async () => {
    worker.use(
      http.get('/api/context', () =>
        HttpResponse.json({
          ...CONTEXT,
          item: { kind: 'ENTRY', expenseType: 'Taxi', amount: { value: 5, currency: 'XX' }, date: 'someday' },
        }),
      ),
    );
    const el = await mount();
    expect(root(el).textContent.replace(/\s+/g, ' ')).to.contain('Taxi · 5 XX · someday');
  });

  it('Done sends the chosen code and closes only after the server confirms', async () => {
    let release!: () => void;
    const confirmed = new Promise<void>((r) => {
      release = r;
    });
    worker.use(
      http.post('/api/commit', async ({ request }) => {
        await confirmed;
        const { code } = (await request.json()) as { code: string };
        return HttpResponse.json({
          field: 'custom12',
          value: code,
          written: [{ field: 'custom12', value: code }],
          correlationId: 'cid-1',
        });
      }),
    );
    const el = await mount();
    let closed: PopupCloseEvent | undefined;
    el.addEventListener(PopupCloseEvent.type, (e) => {
      closed = e;
    });
    await pick(el, 4);
    expect(root(el).textContent).to.contain(`Selected: ${ITEMS[4]!.code}`);
    button(el, 'Done').click();
    await waitUntil(() => root(el).textContent.includes('Saving to Concur…'));
    expect(button(el, 'Done').disabled).to.equal(true);
    expect(closed, 'not closed while Concur has not answered').to.equal(undefined);
    release();
    await waitUntil(() => closed);
    expect(closed!.reason).to.equal('committed');
    expect(closed!.value).to.equal('PRJ-1005');
    expect(received.find((r) => r.path === '/api/commit')!.body).to.deep.equal({ code: 'PRJ-1005' });
    expect(root(el).textContent).to.contain('Saved. You can close this window.');
  });

  it('a failed write keeps the popup open with the message, the reference, and Retry', async () => {
    worker.use(
      http.post(
        '/api/commit',
        () =>
          HttpResponse.json(
            errorBody(
              'concur_unavailable',
              'Concur did not answer in time. Please try again in a moment.',
              'cid-failed-42',
            ),
            { status: 502 },
          ),
        { once: true },
      ),
    );
    const el = await mount();
    let closed = false;
    el.addEventListener(PopupCloseEvent.type, () => {
      closed = true;
    });
    await pick(el, 0);
    button(el, 'Done').click();
    await waitUntil(() => root(el).querySelector('[role=alert]'));
    const alert = root(el).querySelector('[role=alert]')!;
    expect(alert.textContent).to.contain('Concur did not answer in time.');
    expect(alert.textContent).to.contain('cid-failed-42');
    expect(closed).to.equal(false);
    await expect(el).to.be.accessible();
    const done = oneEvent<PopupCloseEvent>(el, PopupCloseEvent.type);
    button(el, 'Retry').click();
    expect((await done).value).to.equal('PRJ-1001');
    expect(received.filter((r) => r.path === '/api/commit')).to.have.length(2);
  });

  it('pages and opens list levels through its own search (offset and parent reach the server)', async () => {
    const el = await mount();
    const box = search(el)!.shadowRoot!.querySelector('input')!;
    box.focus();
    await sendKeys({ type: 'many' });
    await waitUntil(() => search(el)!.shadowRoot!.textContent.includes('1000 results'));
    for (let i = 0; i < 6; i++) await sendKeys({ press: 'PageDown' });
    await waitUntil(
      () => received.some((r) => r.search.includes('q=many') && r.search.includes('offset=50')),
      'the next page is asked for',
    );
    box.select();
    await sendKeys({ type: 'regions' });
    await waitUntil(() => search(el)!.shadowRoot!.textContent.includes('2 results'));
    await sendKeys({ press: 'Enter' });
    await waitUntil(() => received.some((r) => r.search.includes('parent=id-eu')), 'the next level is asked for');
  });

  it('Cancel closes without writing', async () => {
    const el = await mount();
    await pick(el, 1);
    const closing = oneEvent<PopupCloseEvent>(el, PopupCloseEvent.type);
    button(el, 'Cancel').click();
    expect((await closing).reason).to.equal('cancelled');
    expect(received.some((r) => r.path === '/api/commit')).to.equal(false);
  });

  it('a value longer than the field takes in Concur is refused at once: an alert, and Done stays off', async () => {
    worker.use(
      http.get('/api/context', () => HttpResponse.json({ ...CONTEXT, field: { id: 'custom12', maxLength: 7 } })),
    );
    const el = await mount();
    await pick(el, 1);
    expect(root(el).textContent).to.contain('Selected: PRJ-1002');
    const alert = root(el).querySelector('[role=alert]');
    expect(alert?.textContent.replace(/\s+/g, ' ').trim()).to.equal(
      'This value is longer than the 7 characters this field takes in Concur.',
    );
    expect(button(el, 'Done').disabled).to.equal(true);
    button(el, 'Done').click();
    await aTimeout(50);
    expect(received.some((r) => r.path === '/api/commit')).to.equal(false);
    await expect(el).to.be.accessible();
  });

  it('a value that fits the field (exactly its length) can be saved', async () => {
    worker.use(
      http.get('/api/context', () => HttpResponse.json({ ...CONTEXT, field: { id: 'custom12', maxLength: 8 } })),
    );
    const el = await mount();
    await pick(el, 1);
    expect(root(el).querySelector('[role=alert]')).to.equal(null);
    expect(button(el, 'Done').disabled).to.equal(false);
    const closing = oneEvent<PopupCloseEvent>(el, PopupCloseEvent.type);
    button(el, 'Done').click();
    expect((await closing).reason).to.equal('committed');
    expect(received.find((r) => r.path === '/api/commit')?.body).to.deep.equal({ code: 'PRJ-1002' });
  });

  for (const [blocked, said] of [
    [
      { code: 'report_paid', message: 'paid' },
      'This report has been paid, and Concur no longer lets anything on it be changed.',
    ],
    [
      { code: 'field_not_writable', message: 'read-only', field: 'custom12' },
      'The field custom12 cannot be changed by you on this item in Concur.',
    ],
    [
      { code: 'company_not_connected', message: 'not connected' },
      'This app is not connected to your company in Concur yet, so this field cannot be filled in here. Your Concur administrator must connect it (App Center, Connect).',
    ],
  ] as const) {
    it(`a context saying nothing can be saved (${blocked.code}) shows why, with only Close, before any choice`, async () => {
      worker.use(http.get('/api/context', () => HttpResponse.json({ ...CONTEXT, blocked })));
      const el = await fixture<LeuPopupElement>(
        html`<leu-popup .api=${createApiClient({ storage: memoryStorage() })}></leu-popup>`,
      );
      await waitUntil(() => root(el).querySelector('[role=alert]'), 'the reason is shown');
      expect(root(el).querySelector('[role=alert]')!.textContent.replace(/\s+/g, ' ').trim()).to.equal(said);
      expect(root(el).textContent.replace(/\s+/g, ' ')).to.contain('Taxi · €42.50 · 12 Nov 2026');
      expect(root(el).querySelector('leu-search')).to.equal(null);
      expect([...root(el).querySelectorAll('button')].map((b) => b.textContent.trim())).to.deep.equal(['Close']);
      await expect(el).to.be.accessible();
      const closing = oneEvent<PopupCloseEvent>(el, PopupCloseEvent.type);
      button(el, 'Close').click();
      expect((await closing).reason).to.equal('cancelled');
      expect(received.some((r) => r.path === '/api/commit')).to.equal(false);
    });
  }

  it('preselects the current value, and Done without a change closes without writing', async () => {
    worker.use(
      http.get('/api/context', () =>
        HttpResponse.json({ ...CONTEXT, currentValue: 'PRJ-1010', currentItem: ITEMS[9]! }),
      ),
    );
    const el = await mount();
    expect(root(el).textContent).to.contain('Selected: PRJ-1010');
    const closing = oneEvent<PopupCloseEvent>(el, PopupCloseEvent.type);
    button(el, 'Done').click();
    expect((await closing).reason).to.equal('committed');
    expect(received.some((r) => r.path === '/api/commit')).to.equal(false);
  });

  it('an ended session is shown as an alert, not a spinner', async () => {
    worker.use(
      http.post('/api/session', () =>
        HttpResponse.json(
          errorBody(
            'session_missing',
            "This window's session has ended. Close it and click the button in Concur again.",
          ),
          { status: 401 },
        ),
      ),
    );
    const el = await fixture<LeuPopupElement>(
      html`<leu-popup .api=${createApiClient({ storage: memoryStorage() })}></leu-popup>`,
    );
    await waitUntil(() => root(el).querySelector('[role=alert]'));
    expect(root(el).querySelector('[role=alert]')!.textContent).to.contain('session has ended');
  });

  it('the search box is there, focused and typeable while the context loads, and it searches at once', async () => {
    let release!: () => void;
    const loaded = new Promise<void>((r) => {
      release = r;
    });
    worker.use(
      http.get('/api/context', async () => {
        await loaded;
        return HttpResponse.json(CONTEXT);
      }),
    );
    const el = await fixture<LeuPopupElement>(
      html`<leu-popup .api=${createApiClient({ storage: memoryStorage() })}></leu-popup>`,
    );
    await waitUntil(() => search(el)?.shadowRoot?.activeElement?.localName === 'input', 'the box has the focus');
    expect(root(el).querySelector('[role=status]')!.textContent).to.equal('Loading the expense from Concur…');
    expect(search(el)!.shadowRoot!.querySelector('label')!.textContent).to.equal('Search values');
    expect(button(el, 'Done'), 'nothing to commit before the context').to.equal(undefined);
    await sendKeys({ type: 'zür' });
    await sendKeys({ press: 'Enter' });
    // The launch said the field has no wizard: the results come while the context is still on its way, and Enter
    // typed ahead picks the best match.
    await waitUntil(
      () => search(el)?.shadowRoot?.querySelector('[role=option][aria-selected=true]'),
      'the match typed ahead is chosen before the context is in',
    );
    expect(received.find((r) => r.path === '/api/search' && r.search.includes('q=z'))!.search).to.contain('q=z%C3%BCr');
    expect(button(el, 'Done'), 'still nothing to commit before the context').to.equal(undefined);
    release();
    await waitUntil(
      () => root(el).textContent.includes('Selected: PRJ-1010'),
      'the choice stays when the context comes',
    );
    expect(root(el).textContent).to.contain('Taxi · €42.50');
    expect(search(el)!.shadowRoot!.querySelector('input')!.value, 'the same box, with what was typed').to.equal('zür');
    await expect(el).to.be.accessible();
  });

  it('for a field whose wizard the launch did not announce, the wizard takes the place of the early box', async () => {
    worker.use(http.get('/api/context', () => HttpResponse.json(WIZARD_CONTEXT)));
    const el = await fixture<LeuPopupElement>(
      html`<leu-popup .api=${createApiClient({ storage: memoryStorage() })}></leu-popup>`,
    );
    await waitUntil(() => root(el).querySelector('leu-wizard'), 'the wizard is shown');
    expect(search(el)).to.equal(null);
    await waitUntil(
      () => document.activeElement === el && root(el).activeElement?.localName === 'leu-wizard',
      'the wizard has the focus',
    );
  });

  it('told the field has a wizard (the launch said ?wizard), it shows no search box while loading, then the wizard', async () => {
    let release!: () => void;
    const loaded = new Promise<void>((r) => {
      release = r;
    });
    worker.use(
      http.get('/api/context', async () => {
        await loaded;
        return HttpResponse.json(WIZARD_CONTEXT);
      }),
    );
    const el = await fixture<LeuPopupElement>(
      html`<leu-popup .api=${createApiClient({ storage: memoryStorage() })} .expectWizard=${true}></leu-popup>`,
    );
    await waitUntil(() => root(el).querySelector('[role=status]'), 'a loading state');
    expect(root(el).querySelector('[role=status]')!.textContent).to.equal('Loading the expense from Concur…');
    expect(search(el), 'no search box the wizard would replace').to.equal(null);
    release();
    await waitUntil(
      () => document.activeElement === el && root(el).activeElement?.localName === 'leu-wizard',
      'the wizard has the focus',
    );
    expect(search(el)).to.equal(null);
  });

  it('when the code that talks to the connector fails to load, it says so with Retry, and Retry loads it again', async () => {
    let attempts = 0;
    const load = async () => {
      attempts++;
      await delay(50); // a chunk's request, over the network
      if (attempts === 1) throw new TypeError('Failed to fetch dynamically imported module');
      return client;
    };
    const el = await fixture<LeuPopupElement>(
      html`<leu-popup .api=${createLazyApiClient({ storage: memoryStorage() }, load)}></leu-popup>`,
    );
    await waitUntil(() => root(el).querySelector('[role=alert]'), 'an alert, not a blank popup');
    expect(root(el).querySelector('[role=alert]')!.textContent).to.contain(
      'Could not reach the connector. Check your connection and try again.',
    );
    // The first screen's own search needs no chunk: the session was claimed, and only the context waited for it.
    expect(received.filter((r) => r.path === '/api/session')).to.have.length(1);
    await expect(el).to.be.accessible();
    button(el, 'Retry').click();
    await waitUntil(() => root(el).textContent.includes('Taxi · €42.50'), 'the context, through the loaded client');
    await waitUntil(() => search(el)?.shadowRoot?.querySelector('[role=option]'), 'the popup is ready');
    expect(attempts).to.equal(2);
  });

  it('a slow context load shows a loading state first', async () => {
    worker.use(
      http.get('/api/context', async () => {
        await delay(300);
        return HttpResponse.json(CONTEXT);
      }),
    );
    const el = await fixture<LeuPopupElement>(
      html`<leu-popup .api=${createApiClient({ storage: memoryStorage() })}></leu-popup>`,
    );
    await waitUntil(() => root(el).textContent.includes('Loading'));
    await waitUntil(() => search(el));
  });
});
