// <leu-search> on a slow network: results come before the list virtualizer's chunk, so they show in the plain list;
// when the virtualizer arrives and takes the list's place, the option the keyboard is on stays active and in view.
// A file of its own: the virtualizer loads once per page, and here it must not have loaded yet.
import '../setup.ts';
import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import { http, passthrough } from 'msw';
import { createApiClient } from '../../../src/api/client.ts';
import '../../../src/elements/leu-search.ts';
import type { LeuSearchElement } from '../../../src/elements/leu-search.ts';
import { memoryStorage, startWorker, worker } from '../fake-api.ts';

let release!: () => void;
const arrived = new Promise<void>((r) => {
  release = r;
});

before(async () => {
  await startWorker();
  // The virtualizer's modules wait until the test lets them through.
  worker.use(
    http.get(/@lit-labs\/virtualizer/, async () => {
      await arrived;
      return passthrough();
    }),
  );
});
after(() => worker.stop());

it('keeps the active option when the virtualizer replaces the plain list', async () => {
  const client = createApiClient({ storage: memoryStorage() });
  const el = await fixture<LeuSearchElement>(
    html`<leu-search
      label="Search values"
      .debounce=${0}
      .search=${(q: string, s: AbortSignal, offset?: number, parent?: string) => client.search(q, s, offset, parent)}
    ></leu-search>`,
  );
  const root = el.shadowRoot!;
  const input = root.querySelector('input')!;
  input.focus();
  await sendKeys({ type: 'many' });
  await waitUntil(
    () => root.querySelector('[role=status]')?.textContent?.trim() === '1000 results',
    'the results are in',
  );
  expect(root.querySelector('lit-virtualizer'), 'still the plain list').to.equal(null);
  for (let i = 0; i < 30; i++) await sendKeys({ press: 'ArrowDown' });
  await el.updateComplete;
  expect(input.getAttribute('aria-activedescendant')).to.equal('option-30');

  release();
  await waitUntil(() => root.querySelector('lit-virtualizer'), 'the virtualizer took over');
  const list = root.querySelector('#listbox')!;
  await waitUntil(() => {
    const option = root.getElementById('option-30')?.getBoundingClientRect();
    const view = list.getBoundingClientRect();
    return option && option.top >= view.top - 1 && option.bottom <= view.bottom + 1;
  }, 'the active option is rendered and in view');
  expect(input.getAttribute('aria-activedescendant')).to.equal('option-30');
  expect(root.getElementById('option-30')!.textContent).to.contain('BIG-0031');
  expect(root.getElementById('option-30')!.getAttribute('aria-selected')).to.equal('true');
});
