// <leu-search>: the combobox pattern's roles and states, keyboard and mouse, and every state of the search.
import '../setup.ts';
import { assert, expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import { http, HttpResponse } from 'msw';
import { createApiClient } from '../../../src/api/client.ts';
import '../../../src/elements/leu-search.ts';
import type { LeuSearchElement } from '../../../src/elements/leu-search.ts';
import { ValueSelectEvent } from '../../../src/elements/events.ts';
import { apiHandlers, errorBody, memoryStorage, received, startWorker, worker } from '../fake-api.ts';

before(startWorker);
beforeEach(() => {
  received.length = 0;
});
afterEach(() => worker.resetHandlers(...apiHandlers));
after(() => worker.stop());

const api = () => createApiClient({ storage: memoryStorage() });

async function mount() {
  const client = api();
  const el = await fixture<LeuSearchElement>(
    html`<leu-search
      label="Search values"
      .debounce=${0}
      .search=${(q: string, s: AbortSignal, offset?: number, parent?: string) => client.search(q, s, offset, parent)}
    ></leu-search>`,
  );
  await waitUntil(() => options(el).length > 0, 'the first results appear');
  return el;
}
/** Our update, then the virtualized list's own render (a plain list until the virtualizer has loaded). */
async function settled(el: LeuSearchElement) {
  await el.updateComplete;
  await (root(el).querySelector('lit-virtualizer') as unknown as { updateComplete: Promise<unknown> } | null)
    ?.updateComplete;
  await new Promise((r) => requestAnimationFrame(r));
}
const root = (el: LeuSearchElement) => el.shadowRoot!;
const input = (el: LeuSearchElement) => root(el).querySelector('input')!;
const options = (el: LeuSearchElement) => [...root(el).querySelectorAll('[role=option]')];
const status = (el: LeuSearchElement) => root(el).querySelector('[role=status]')!.textContent.trim();
const active = (el: LeuSearchElement) => root(el).getElementById(input(el).getAttribute('aria-activedescendant') ?? '');

async function type(el: LeuSearchElement, text: string) {
  input(el).focus();
  input(el).select();
  await sendKeys({ type: text });
}

describe('leu-search', () => {
  it('follows the combobox pattern: roles, label, and the list it controls', async () => {
    const el = await mount();
    const box = input(el);
    expect(box.getAttribute('role')).to.equal('combobox');
    expect(box.getAttribute('aria-autocomplete')).to.equal('list');
    expect(box.getAttribute('aria-expanded')).to.equal('true');
    const list = root(el).getElementById(box.getAttribute('aria-controls')!)!;
    expect(list.getAttribute('role')).to.equal('listbox');
    expect(root(el).querySelector(`label[for=${box.id}]`)!.textContent).to.equal('Search values');
    // 30 results, the user's recent pick among them listed once, first; the list renders only what is in view.
    expect(status(el)).to.equal('30 results');
    expect(options(el)[0]!.getAttribute('aria-setsize')).to.equal('30');
    expect(options(el)[0]!.textContent).to.contain('PRJ-1021').and.to.contain('Recent');
    expect(box.hasAttribute('aria-activedescendant')).to.equal(false);
    await expect(el).to.be.accessible();
  });

  it('shows matches as the user types, announces their number, and makes the best one active', async () => {
    const el = await mount();
    await type(el, 'zür');
    await waitUntil(() => options(el).length === 1, 'one match');
    expect(options(el)[0]!.textContent).to.contain('PRJ-1010').and.to.contain('Zürich data centre migration');
    expect(status(el)).to.equal('1 result');
    expect(active(el)).to.equal(options(el)[0]);
    expect(received.at(-1)!.search).to.contain('q=z%C3%BCr');
    await expect(el).to.be.accessible();
  });

  it('moves through results with the arrow keys, wrapping at both ends', async () => {
    const el = await mount();
    await type(el, 'PRJ-100');
    await waitUntil(() => options(el).length === 9, 'nine matches');
    expect(active(el)!.textContent).to.contain('PRJ-1001');
    await sendKeys({ press: 'ArrowDown' });
    await settled(el);
    expect(active(el)!.textContent).to.contain('PRJ-1002');
    expect(active(el)!.getAttribute('aria-selected')).to.equal('true');
    expect(options(el).filter((o) => o.getAttribute('aria-selected') === 'true')).to.have.length(1);
    await sendKeys({ press: 'ArrowUp' });
    await sendKeys({ press: 'ArrowUp' });
    await settled(el);
    expect(active(el)!.textContent).to.contain('PRJ-1009');
    await sendKeys({ press: 'ArrowDown' });
    await settled(el);
    expect(active(el)!.textContent).to.contain('PRJ-1001');
    expect(root(el).activeElement).to.equal(input(el), 'focus stays in the box');
  });

  it('Enter picks the active result', async () => {
    const el = await mount();
    await type(el, 'PRJ-102');
    await waitUntil(() => options(el).length === 10);
    await sendKeys({ press: 'ArrowDown' });
    const picked = oneEvent<ValueSelectEvent>(el, ValueSelectEvent.type);
    await sendKeys({ press: 'Enter' });
    expect((await picked).item.code).to.equal('PRJ-1021');
  });

  it('a click picks a result, and the chosen value is marked', async () => {
    const el = await mount();
    const picked = oneEvent<ValueSelectEvent>(el, ValueSelectEvent.type);
    (options(el)[3] as HTMLElement).click();
    const { item } = await picked;
    expect(item).to.deep.equal({ code: 'PRJ-1003', label: 'Project 1003', detail: 'Paris' });
    el.chosen = item;
    await settled(el);
    expect(options(el)[3]!.querySelector('.visually-hidden')!.textContent).to.equal('chosen');
  });

  it('Escape clears the query and shows everything again', async () => {
    const el = await mount();
    await type(el, 'zür');
    await waitUntil(() => options(el).length === 1);
    await sendKeys({ press: 'Escape' });
    await waitUntil(() => status(el) === '30 results');
    expect(input(el).value).to.equal('');
  });

  it('a superseded search is aborted and never replaces newer results', async () => {
    const el = await mount();
    await type(el, 'slow');
    await waitUntil(() => received.some((r) => r.search.includes('q=slow')));
    expect(root(el).querySelector('[role=listbox]')!.getAttribute('aria-busy')).to.equal('true');
    await expect(el).to.be.accessible();
    await type(el, 'zür');
    await waitUntil(() => options(el).length === 1);
    await new Promise((r) => setTimeout(r, 600)); // past the slow answer's delay
    expect(options(el)).to.have.length(1);
    expect(options(el)[0]!.textContent).to.contain('Zürich');
  });

  it('marks the matched characters', async () => {
    const el = await mount();
    await type(el, 'zür');
    // With no pause, "z" and "zü" are searched too, and their one match (marked "Z", "Zü") may show first.
    await waitUntil(
      () => options(el).length === 1 && options(el)[0]!.querySelector('mark')?.textContent === 'Zür',
      'the match for “zür” is marked',
    );
    const marks = [...options(el)[0]!.querySelectorAll('mark')].map((m) => m.textContent);
    expect(marks).to.deep.equal(['Zür']);
  });

  it('lists an inactive value greyed with its reason, and does not let it be picked', async () => {
    const el = await mount();
    await type(el, 'PRJ-101');
    await waitUntil(() => status(el) === '10 results');
    await settled(el);
    const closed = options(el).find((o) => o.textContent.includes('PRJ-1013'))!;
    expect(closed.getAttribute('aria-disabled')).to.equal('true');
    expect(closed.textContent).to.contain('Not available: closed on 30 June 2026');
    await expect(el).to.be.accessible();
    let picked = false;
    el.addEventListener(ValueSelectEvent.type, () => {
      picked = true;
    });
    (closed as HTMLElement).click();
    await sendKeys({ press: 'ArrowDown' });
    await sendKeys({ press: 'ArrowDown' });
    await sendKeys({ press: 'ArrowDown' });
    await settled(el);
    expect(active(el)).to.equal(closed, 'the keyboard still reaches it');
    await sendKeys({ press: 'Enter' });
    expect(picked).to.equal(false);
  });

  it('keeps keyboard navigation through a large result set, loading further pages as it goes', async () => {
    const el = await mount();
    await type(el, 'many');
    await waitUntil(() => status(el) === '1000 results');
    expect(options(el).length).to.be.below(60, 'only what is in view is rendered');
    expect(options(el)[0]!.getAttribute('aria-setsize')).to.equal('1000');
    for (let i = 0; i < 8; i++) await sendKeys({ press: 'PageDown' });
    await settled(el);
    expect(active(el)!.textContent).to.contain('BIG-0081');
    expect(active(el)!.getAttribute('aria-posinset')).to.equal('81');
    await waitUntil(() => received.some((r) => r.search.includes('offset=50')), 'the second page was requested');
    for (let i = 0; i < 5; i++) await sendKeys({ press: 'PageDown' });
    await settled(el);
    expect(active(el)!.textContent).to.contain('BIG-0131');
    assert.exists(root(el).querySelector('lit-virtualizer'), 'the virtualizer has loaded by now');
    expect(options(el).length).to.be.below(100, 'of the 150 loaded, only those in and near the view are rendered');
    const picked = oneEvent<ValueSelectEvent>(el, ValueSelectEvent.type);
    await sendKeys({ press: 'Enter' });
    expect((await picked).item.code).to.equal('BIG-0131');
  });

  it('opens a connected list level by level, shows short codes, and picks the id', async () => {
    const el = await mount();
    await type(el, 'regions');
    await waitUntil(() => status(el) === '2 results');
    await settled(el);
    expect(options(el)[0]!.textContent).to.contain('EU').and.to.contain('Europe').and.not.to.contain('id-eu');
    expect(options(el)[0]!.querySelector('.visually-hidden')!.textContent).to.equal('opens the next level');
    let picked: ValueSelectEvent | undefined;
    el.addEventListener(ValueSelectEvent.type, (e) => {
      picked = e;
    });
    await sendKeys({ press: 'Enter' }); // Europe: opens its level rather than being chosen
    await waitUntil(
      () => status(el) === '2 results' && options(el)[0]?.textContent?.includes('Deutsche Bahn'),
      'the next level is listed',
    );
    expect(picked).to.equal(undefined);
    expect(received.at(-1)!.search).to.contain('parent=id-eu');
    expect(root(el).querySelector('.level')!.textContent).to.contain('Europe');
    expect(input(el).value).to.equal('');
    await sendKeys({ type: 'allianz' });
    await waitUntil(() => status(el) === '1 result');
    await sendKeys({ press: 'Enter' });
    expect(picked!.item).to.deep.equal({ code: 'id-alz', display: 'ALZ', label: 'Allianz claims platform' });
    // Backspace in an empty box goes back up a level.
    input(el).select();
    await sendKeys({ press: 'Backspace' });
    await waitUntil(() => input(el).value === '');
    await sendKeys({ press: 'Backspace' });
    await waitUntil(() => !root(el).querySelector('.level'), 'back at the top level');
  });

  it('says so when nothing matches', async () => {
    const el = await mount();
    await type(el, 'nothing like this');
    await waitUntil(
      () => root(el).textContent.includes('No values match “nothing like this”.'),
      'the empty state is shown',
    );
    expect(options(el)).to.have.length(0);
    expect(input(el).getAttribute('aria-expanded')).to.equal('false');
    expect(status(el)).to.equal('0 results');
    await expect(el).to.be.accessible();
  });

  it('shows a failed search as an alert with a way to try again', async () => {
    const el = await mount();
    worker.use(
      http.get('/api/search', () =>
        HttpResponse.json(errorBody('source_unavailable', 'The project list is unavailable.'), { status: 503 }),
      ),
    );
    await type(el, 'PRJ');
    await waitUntil(() => root(el).querySelector('[role=alert]'), 'an alert appears');
    const alert = root(el).querySelector('[role=alert]')!;
    expect(alert.textContent).to.contain('The project list is unavailable.');
    await expect(el).to.be.accessible();
    worker.resetHandlers(...apiHandlers);
    alert.querySelector('button')!.click();
    await waitUntil(
      () => !root(el).querySelector('[role=alert]') && status(el) === '30 results' && input(el).value === 'PRJ',
    );
  });
});
