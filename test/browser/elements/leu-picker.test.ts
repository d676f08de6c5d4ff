// <leu-picker> on a page outside Concur: its attributes, the connector's embed API (msw), the cancelable
// leu-choose event with the values for each field, Cancel, a wizard, failures, and axe.
import '../setup.ts';
import { assert, expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import { http, HttpResponse } from 'msw';
import '../../../src/elements/leu-picker.ts';
import type { LeuPickerElement } from '../../../src/elements/leu-picker.ts';
import type { LeuWizardElement } from '../../../src/elements/leu-wizard.ts';
import { PickerChooseEvent, PopupCloseEvent } from '../../../src/elements/events.ts';
import type { EmbedField } from '../../../src/contract/api.ts';
import { FLOW, ITEMS, apiHandlers, errorBody, search, searchTasks, startWorker, worker } from '../fake-api.ts';

const FIELD = 'https://connector.example.com/embed/v1/fields/custom12';
const WIZARD = 'https://connector.example.com/embed/v1/fields/custom16';
const requests: URL[] = [];
const embedHandlers = [
  http.get(FIELD, ({ request }) =>
    HttpResponse.json({
      field: 'custom12',
      title: 'the project list',
      languageCode: new URL(request.url).searchParams.get('lang')!,
    } satisfies EmbedField),
  ),
  http.get(WIZARD, () =>
    HttpResponse.json({
      field: 'custom16',
      title: 'Project and task',
      languageCode: 'en',
      flow: FLOW,
    } satisfies EmbedField),
  ),
  http.get(`${FIELD}/search`, ({ request }) => {
    const q = new URL(request.url).searchParams;
    return HttpResponse.json(search(q.get('q') ?? '', Number(q.get('offset') ?? 0)));
  }),
  http.get(`${WIZARD}/search`, ({ request }) => {
    const q = new URL(request.url).searchParams;
    if (q.get('step') === 'task') return HttpResponse.json(searchTasks(q.get('q') ?? '', q.get('within')));
    return HttpResponse.json(search(q.get('q') ?? ''));
  }),
];

const record = ({ request }: { request: Request }) => {
  if (request.url.startsWith('https://connector.example.com/')) requests.push(new URL(request.url));
};
before(startWorker);
beforeEach(() => {
  requests.length = 0;
  worker.use(...embedHandlers);
  worker.events.on('request:start', record);
});
afterEach(() => {
  // Only this file's listener: fake-api.ts keeps its own recorder for the rest of the page.
  worker.events.removeListener('request:start', record);
  worker.resetHandlers(...apiHandlers);
});
after(() => worker.stop());

const shadow = (el: Element) => el.shadowRoot!;
const text = (n: Element | null | undefined) => n?.textContent?.replace(/\s+/g, ' ').trim() ?? '';
async function mount(source = FIELD, language = 'en-GB') {
  const el = await fixture<LeuPickerElement>(html`<leu-picker source=${source} language=${language}></leu-picker>`);
  await waitUntil(() => shadow(el).querySelector('leu-search, leu-wizard'), 'the picker has loaded its field');
  return el;
}
async function pick(el: LeuPickerElement, code: string) {
  const search = shadow(el).querySelector('leu-search')!;
  await waitUntil(
    () => [...shadow(search).querySelectorAll<HTMLElement>('[role=option]')].some((o) => o.textContent.includes(code)),
    `${code} is listed`,
  );
  [...shadow(search).querySelectorAll<HTMLElement>('[role=option]')].find((o) => o.textContent.includes(code))!.click();
  await el.updateComplete;
}
const button = (root: ShadowRoot, name: string) => [...root.querySelectorAll('button')].find((b) => text(b) === name)!;

describe('leu-picker', () => {
  it('reads its field and searches through the address it is given, with no cookies', async () => {
    const el = await mount();
    expect(requests[0]!.href).to.equal(`${FIELD}?lang=en-GB`);
    await pick(el, ITEMS[2]!.code);
    expect(requests.some((u) => u.pathname.endsWith('/custom12/search'))).to.equal(true);
    expect(text(shadow(el).querySelector('.choice'))).to.contain(`Selected: ${ITEMS[2]!.code}`);
    await expect(el).to.be.accessible();
  });

  it('Done fires leu-choose with the value for the field, and nothing is written anywhere', async () => {
    const el = await mount();
    const chosen: PickerChooseEvent[] = [];
    el.addEventListener(PickerChooseEvent.type, (e) => chosen.push(e));
    await pick(el, 'PRJ-1005');
    button(shadow(el), 'Done').click();
    await el.updateComplete;
    expect(chosen).to.have.length(1);
    expect(chosen[0]!.cancelable).to.equal(true);
    expect(chosen[0]!.choice).to.deep.equal({
      field: 'custom12',
      writes: [{ field: 'custom12', value: 'PRJ-1005' }],
      item: { code: 'PRJ-1005', label: 'Project 1005', detail: 'Paris' },
    });
    expect(text(shadow(el).querySelector('[role=status]'))).to.equal('Chosen: PRJ-1005');
    expect(requests.every((u) => u.pathname.includes('/embed/v1/fields/'))).to.equal(true);
  });

  it('a host that cancels leu-choose refuses the choice: the picker stays as it was', async () => {
    const el = await mount();
    el.addEventListener(PickerChooseEvent.type, (e) => e.preventDefault());
    await pick(el, 'PRJ-1005');
    button(shadow(el), 'Done').click();
    await el.updateComplete;
    expect(shadow(el).querySelector('[role=status]')).to.equal(null);
  });

  it('Cancel fires leu-close with reason cancelled', async () => {
    const el = await mount();
    const closing = oneEvent<PopupCloseEvent>(el, PopupCloseEvent.type);
    button(shadow(el), 'Cancel').click();
    expect((await closing).reason).to.equal('cancelled');
  });

  it("a wizard field runs its steps and reports every field's value", async () => {
    const el = await mount(WIZARD);
    const wizard = shadow(el).querySelector<LeuWizardElement>('leu-wizard')!;
    wizard.answers = {
      project: { code: 'PRJ-1002', label: 'Project 1002' },
      task: { code: 'T-1002-RES', label: 'Research' },
      billable: 'Y',
    };
    await wizard.updateComplete;
    const chosen = oneEvent<PickerChooseEvent>(el, PickerChooseEvent.type);
    wizard.submit();
    expect((await chosen).choice).to.deep.equal({
      field: 'custom16',
      writes: [
        { field: 'custom16', value: 'PRJ-1002' },
        { field: 'custom17', value: 'T-1002-RES' },
        { field: 'custom18', value: 'Y' },
      ],
      answers: { project: 'PRJ-1002', task: 'T-1002-RES', billable: 'Y' },
    });
  });

  it('a field the connector does not offer is an alert with Retry, in the page language', async () => {
    worker.use(http.get(FIELD, () => HttpResponse.json(errorBody('embed_off', 'Embedding is off.'), { status: 404 })));
    const el = await fixture<LeuPickerElement>(html`<leu-picker source=${FIELD} language="de"></leu-picker>`);
    await waitUntil(() => shadow(el).querySelector('[role=alert]'));
    expect(text(shadow(el).querySelector('[role=alert]'))).to.contain('Embedding is off.');
    assert.exists(button(shadow(el), 'Erneut versuchen'));
    await expect(el).to.be.accessible();
  });
});
