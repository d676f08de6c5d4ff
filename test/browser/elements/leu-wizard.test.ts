// A wizard in the popup: Back and Next keep answers, conditional steps, errors with focus, the review of what is
// written where, one commit with every answer, a server refusal taken back to its step, and axe in every state.
import '../setup.ts';
import { assert, expect, fixture, html, waitUntil } from '@open-wc/testing';
import { http, HttpResponse, delay } from 'msw';
import { emulateMedia, sendKeys } from '@web/test-runner-commands';
import { createApiClient } from '../../../src/api/client.ts';
import '../../../src/elements/leu-popup.ts';
import type { LeuPopupElement } from '../../../src/elements/leu-popup.ts';
import type { LeuWizardElement } from '../../../src/elements/leu-wizard.ts';
import type { LeuSearchElement } from '../../../src/elements/leu-search.ts';
import type { LeuFieldElement } from '../../../src/elements/leu-field.ts';
import { PopupCloseEvent } from '../../../src/elements/events.ts';
import type { CommitResponse } from '../../../src/contract/api.ts';
import { WIZARD_CONTEXT, apiHandlers, errorBody, memoryStorage, received, startWorker, worker } from '../fake-api.ts';

before(startWorker);
beforeEach(() => {
  received.length = 0;
  worker.use(http.get('/api/context', () => HttpResponse.json(WIZARD_CONTEXT)));
});
afterEach(async () => {
  worker.resetHandlers(...apiHandlers);
  await emulateMedia({ colorScheme: 'light' });
});
after(() => worker.stop());

async function mount(): Promise<LeuPopupElement> {
  const el = await fixture<LeuPopupElement>(
    html`<leu-popup .api=${createApiClient({ storage: memoryStorage() })}></leu-popup>`,
  );
  await waitUntil(() => search(el)?.shadowRoot?.querySelector('[role=option]'), 'the first step lists projects');
  return el;
}
const wizard = (el: LeuPopupElement) => el.shadowRoot!.querySelector<LeuWizardElement>('leu-wizard')!;
const wroot = (el: LeuPopupElement) => wizard(el).shadowRoot!;
const search = (el: LeuPopupElement) => wizard(el)?.shadowRoot?.querySelector<LeuSearchElement>('leu-search');
const field = (el: LeuPopupElement) => wroot(el).querySelector<LeuFieldElement>('leu-field')!;
const text = (node: ParentNode | null | undefined) =>
  (node as Element | null)?.textContent?.replace(/\s+/g, ' ').trim() ?? '';
const progress = (el: LeuPopupElement) => text(wroot(el).querySelector('.progress'));
const button = (el: LeuPopupElement, name: string) =>
  [...wroot(el).querySelectorAll('button')].find((b) => text(b) === name);
/** What has the keyboard focus, through every shadow root. */
const focused = () => {
  let a: Element | null = document.activeElement;
  while (a?.shadowRoot?.activeElement) a = a.shadowRoot.activeElement;
  return a;
};
async function settle(el: LeuPopupElement) {
  await el.updateComplete;
  await wizard(el).updateComplete;
  await new Promise((r) => setTimeout(r, 30));
}
async function pickOption(el: LeuPopupElement, label: string) {
  await waitUntil(
    () =>
      [...search(el)!.shadowRoot!.querySelectorAll<HTMLElement>('[role=option]')].some((o) => text(o).includes(label)),
    `an option ${label}`,
  );
  [...search(el)!.shadowRoot!.querySelectorAll<HTMLElement>('[role=option]')]
    .find((o) => text(o).includes(label))!
    .click();
  await settle(el);
}
async function next(el: LeuPopupElement) {
  button(el, 'Next')!.click();
  await settle(el);
}
/** Answers project and task, and stops on the billable question. */
async function toBillable(el: LeuPopupElement) {
  await pickOption(el, 'PRJ-1002');
  await next(el);
  await pickOption(el, 'Research');
  await next(el);
  expect(progress(el)).to.equal('Step 3 of 6');
}
/** Billable, no guests, no date: through to the review, and Done. */
async function billableToDone(el: LeuPopupElement) {
  await toBillable(el);
  await choose(el, 'Y');
  for (let i = 0; i < 3; i++) await next(el);
  button(el, 'Done')!.click();
}
const choose = async (el: LeuPopupElement, value: 'Y' | 'N') => {
  field(el).shadowRoot!.querySelector<HTMLInputElement>(`input[value=${value}]`)!.click();
  await settle(el);
};
const typeInto = async (el: LeuPopupElement, value: string) => {
  const input = field(el).shadowRoot!.querySelector<HTMLInputElement>('input')!;
  input.focus();
  input.value = value;
  input.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
  await settle(el);
};

describe('leu-wizard in the popup', () => {
  it('starts on the first step with its heading, focus in the search, and Next but no Back', async () => {
    const el = await mount();
    await settle(el);
    expect(text(el.shadowRoot!.querySelector('h1'))).to.equal('Project and task');
    expect(progress(el)).to.equal('Step 1 of 6');
    expect(focused()?.getAttribute('role')).to.equal('combobox');
    expect(button(el, 'Back')).to.equal(undefined);
    assert.exists(button(el, 'Next'));
    await expect(el).to.be.accessible();
  });

  it('Next on an unanswered step says why, marks the field invalid and puts the focus in it', async () => {
    const el = await mount();
    await next(el);
    expect(progress(el)).to.equal('Step 1 of 6');
    const input = search(el)!.shadowRoot!.querySelector('input')!;
    expect(text(search(el)!.shadowRoot!.querySelector('[role=alert]'))).to.equal('Please answer this question.');
    expect(input.getAttribute('aria-invalid')).to.equal('true');
    expect(input.getAttribute('aria-describedby')).to.equal('error');
    expect(focused()).to.equal(input);
    await expect(el).to.be.accessible();
    // Answering clears the error.
    await pickOption(el, 'PRJ-1002');
    expect(search(el)!.shadowRoot!.querySelector('[role=alert]')).to.equal(null);
  });

  it(
    "a step narrowed by the project lists that project's tasks, " + 'and changing the project clears the task',
    async () => {
      const el = await mount();
      await pickOption(el, 'PRJ-1001');
      await next(el);
      await waitUntil(() => search(el)!.shadowRoot!.querySelectorAll('[role=option]').length === 2);
      // The step change is announced, and the focus is in the new step's search box.
      expect(text(wroot(el).querySelector('[role=status]'))).to.equal('Step 2 of 6: Task');
      expect(focused()?.getAttribute('role')).to.equal('combobox');
      expect(
        received.some(
          (r) => r.path === '/api/search' && r.search.includes('step=task') && r.search.includes('within=PRJ-1001'),
        ),
      ).to.equal(true);
      await pickOption(el, 'Design');
      button(el, 'Back')!.click();
      await settle(el);
      expect(text(wroot(el).querySelector('.choice'))).to.contain('PRJ-1001');
      await pickOption(el, 'PRJ-1002');
      await next(el);
      expect(text(wroot(el).querySelector('.choice'))).to.equal('Nothing selected yet.');
      await pickOption(el, 'Research');
      expect(text(wroot(el).querySelector('.choice'))).to.contain('T-1002-RES');
    },
  );

  it('the reason is asked only when the expense cannot be billed; Back keeps every answer', async () => {
    const el = await mount();
    await toBillable(el);
    await choose(el, 'Y');
    await next(el);
    expect(field(el).step!.id).to.equal('guests');
    expect(progress(el)).to.equal('Step 4 of 6');
    button(el, 'Back')!.click();
    await settle(el);
    expect(field(el).shadowRoot!.querySelector<HTMLInputElement>('input[value=Y]')!.checked).to.equal(true);
    await choose(el, 'N');
    expect(progress(el)).to.equal('Step 3 of 7');
    await next(el);
    expect(field(el).step!.id).to.equal('reason');
    expect(focused()).to.equal(field(el).shadowRoot!.querySelector('input'));
    expect(text(field(el).shadowRoot!.querySelector('.hint'))).to.equal('From 5 to 48 characters.');
    expect(field(el).shadowRoot!.querySelector('input')!.getAttribute('aria-describedby')).to.equal('help hint');
    // Too short: the reason is said under the field; Enter in the field is Next.
    await typeInto(el, 'no');
    await sendKeys({ press: 'Enter' });
    await settle(el);
    expect(text(field(el).shadowRoot!.querySelector('[role=alert]'))).to.equal('Please write at least 5 characters.');
    expect(field(el).shadowRoot!.querySelector('input')!.getAttribute('aria-describedby')).to.equal('help hint error');
    await expect(el).to.be.accessible();
    await typeInto(el, 'Internal training');
    await sendKeys({ press: 'Enter' });
    await settle(el);
    expect(field(el).step!.id).to.equal('guests');
    button(el, 'Back')!.click();
    await settle(el);
    expect(field(el).shadowRoot!.querySelector('input')!.value).to.equal('Internal training');
  });

  it('a number and a date are checked against their ranges before going on', async () => {
    const el = await mount();
    await toBillable(el);
    await choose(el, 'Y');
    await next(el);
    await typeInto(el, '2.5');
    await next(el);
    expect(text(field(el).shadowRoot!.querySelector('[role=alert]'))).to.equal('Please enter a whole number.');
    await typeInto(el, '80');
    await next(el);
    expect(text(field(el).shadowRoot!.querySelector('[role=alert]'))).to.equal('Please enter 50 or less.');
    expect(text(field(el).shadowRoot!.querySelector('.hint'))).to.equal('A number from 1 to 50.');
    await typeInto(el, '12');
    await next(el);
    expect(field(el).step!.id).to.equal('visited');
    expect(field(el).shadowRoot!.querySelector('input')!.type).to.equal('date');
    expect(text(field(el).shadowRoot!.querySelector('.hint'))).to.equal('A date from 1 Jan 2026 to 31 Dec 2026.');
  });

  it('the review shows exactly what is written where, beside what the fields hold now; Done commits once', async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => {
      release = r;
    });
    worker.use(
      http.post('/api/commit', async () => {
        await held;
        return HttpResponse.json({
          field: 'custom16',
          value: 'PRJ-1002',
          written: [],
          correlationId: 'cid-w',
        } satisfies CommitResponse);
      }),
    );
    const el = await mount();
    let closed: PopupCloseEvent | undefined;
    el.addEventListener(PopupCloseEvent.type, (e) => {
      closed = e;
    });
    await toBillable(el);
    await choose(el, 'N');
    await next(el);
    await typeInto(el, '  Internal training ');
    await next(el);
    await typeInto(el, '4');
    await next(el);
    await next(el);
    expect(progress(el)).to.equal('Step 7 of 7');
    expect(focused()?.id).to.equal('review');
    const rows = [...wroot(el).querySelectorAll('dl > div')].map(text);
    expect(rows).to.deep.equal([
      'Project (field custom16) PRJ-1002 Project 1002 Now: PRJ-1001',
      'Task (field custom17) T-1002-RES Research Now empty',
      'Can the client be billed? (field custom18) N Now empty',
      'Why can it not be billed? (field custom19) Internal training Now empty',
      'Number of guests (field custom20) 4 Now empty',
    ]);
    await expect(el).to.be.accessible();
    button(el, 'Done')!.click();
    await waitUntil(() => text(el.shadowRoot!.querySelector('[role=status]')) === 'Saving to Concur…');
    expect(button(el, 'Done')!.disabled).to.equal(true);
    expect(button(el, 'Back')!.disabled).to.equal(true);
    await expect(el).to.be.accessible();
    expect(closed).to.equal(undefined);
    release();
    await waitUntil(() => closed);
    expect(closed!.reason).to.equal('committed');
    const commits = received.filter((r) => r.path === '/api/commit');
    expect(commits).to.have.length(1);
    expect(commits[0]!.body).to.deep.equal({
      answers: { project: 'PRJ-1002', task: 'T-1002-RES', billable: 'N', reason: 'Internal training', guests: '4' },
    });
  });

  it("the server's refusal of an answer takes the user back to that step, with its reason", async () => {
    worker.use(
      http.post('/api/commit', () =>
        HttpResponse.json(
          {
            error: {
              code: 'flow_answer_invalid',
              message: 'Task: T-1002-RES is not one of the values offered here.',
              step: 'task',
            },
          },
          { status: 422 },
        ),
      ),
    );
    const el = await mount();
    await billableToDone(el);
    await waitUntil(() => search(el)?.shadowRoot?.querySelector('[role=alert]'), 'the task step shows the refusal');
    expect(progress(el)).to.equal('Step 2 of 6');
    expect(text(search(el)!.shadowRoot!.querySelector('[role=alert]'))).to.equal(
      'Task: T-1002-RES is not one of the values offered here.',
    );
    await waitUntil(() => focused()?.getAttribute('role') === 'combobox');
  });

  it('a failed write keeps every answer, shows the reference, and Retry sends them again', async () => {
    worker.use(
      http.post(
        '/api/commit',
        () => HttpResponse.json(errorBody('concur_unavailable', 'Concur answered 503.', 'cid-503'), { status: 502 }),
        { once: true },
      ),
    );
    const el = await mount();
    await billableToDone(el);
    await waitUntil(() => wroot(el).querySelector('.alert'));
    const alert = wroot(el).querySelector('.alert')!;
    expect(text(alert)).to.contain('Concur did not answer in time. Please try again.');
    expect(text(alert)).to.contain('cid-503');
    await expect(el).to.be.accessible();
    const closing = new Promise<PopupCloseEvent>((r) =>
      el.addEventListener(PopupCloseEvent.type, r as EventListener, { once: true }),
    );
    alert.querySelector('button')!.click();
    expect((await closing).reason).to.equal('committed');
    const commits = received.filter((r) => r.path === '/api/commit');
    expect(commits).to.have.length(2);
    expect(commits[1]!.body).to.deep.equal(commits[0]!.body);
  });

  it('axe finds no violation in any step, in the dark scheme either', async () => {
    await emulateMedia({ colorScheme: 'dark' });
    const el = await mount();
    await expect(el).to.be.accessible();
    await next(el);
    await expect(el).to.be.accessible();
    await pickOption(el, 'PRJ-1002');
    await next(el);
    await pickOption(el, 'Research');
    await next(el);
    await choose(el, 'N');
    await next(el);
    await expect(el).to.be.accessible();
    await typeInto(el, 'x');
    await next(el);
    await expect(el).to.be.accessible();
    await typeInto(el, 'Long enough');
    await next(el);
    await expect(el).to.be.accessible();
    await next(el);
    await expect(el).to.be.accessible();
    await next(el);
    expect(progress(el)).to.equal('Step 7 of 7');
    await expect(el).to.be.accessible();
  });

  it('while the context loads, and when it fails, the popup says so accessibly', async () => {
    worker.use(
      http.get('/api/context', async () => {
        await delay(300);
        return HttpResponse.json(errorBody('concur_unavailable', 'Concur answered 503.', 'cid-ctx'), { status: 502 });
      }),
    );
    const el = await fixture<LeuPopupElement>(
      html`<leu-popup .api=${createApiClient({ storage: memoryStorage() })}></leu-popup>`,
    );
    await waitUntil(() => text(el.shadowRoot!.querySelector('[role=status]')).startsWith('Loading'));
    await expect(el).to.be.accessible();
    await waitUntil(() => el.shadowRoot!.querySelector('[role=alert]'));
    expect(text(el.shadowRoot!.querySelector('[role=alert]'))).to.contain('cid-ctx');
    await expect(el).to.be.accessible();
  });
});
