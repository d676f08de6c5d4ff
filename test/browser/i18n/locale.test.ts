// The popup in the user's language: locale selection from Concur's language_code, each shipped language on
// screen, Intl formats, right-to-left layout, and the touch layout at 320 x 480.
import '../setup.ts';
import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import { http, HttpResponse } from 'msw';
import { setViewport } from '@web/test-runner-commands';
import { createApiClient } from '../../../src/api/client.ts';
import { intlLocale, pickLocale, setLocale } from '../../../src/i18n/locale.ts';
import '../../../src/elements/leu-popup.ts';
import type { LeuPopupElement } from '../../../src/elements/leu-popup.ts';
import type { LeuWizardElement } from '../../../src/elements/leu-wizard.ts';
import { CONTEXT, WIZARD_CONTEXT, apiHandlers, memoryStorage, startWorker, worker } from '../fake-api.ts';

before(startWorker);
afterEach(async () => {
  worker.resetHandlers(...apiHandlers);
  await setLocale('en');
  await setViewport({ width: 800, height: 600 });
});
after(() => worker.stop());

async function mount(context: object, style = ''): Promise<LeuPopupElement> {
  worker.use(http.get('/api/context', () => HttpResponse.json(context)));
  const el = await fixture<LeuPopupElement>(
    html`<div style=${style}><leu-popup .api=${createApiClient({ storage: memoryStorage() })}></leu-popup></div>`,
  ).then((d) => d.firstElementChild as LeuPopupElement);
  await waitUntil(() => el.shadowRoot!.querySelector('footer, leu-wizard'), 'the popup has loaded');
  await el.updateComplete;
  return el;
}
const text = (n: Element | null | undefined) => n?.textContent?.replace(/\s+/g, ' ').trim() ?? '';
const buttons = (root: ShadowRoot) => [...root.querySelectorAll('button')].map((b) => text(b));

describe('locale selection', () => {
  const cases: [string | null, string][] = [
    ['de', 'de'],
    ['de-AT', 'de'],
    ['de_DE', 'de'],
    ['DE_ch', 'de'],
    ['pt_BR', 'pt-BR'],
    ['pt-PT', 'pt-BR'],
    ['pt', 'pt-BR'],
    ['ja_JP', 'ja'],
    ['fr-CA', 'fr'],
    ['es_MX', 'es'],
    ['it', 'it'],
    ['en_US', 'en'],
    ['zh_CN', 'en'],
    ['ar', 'en'],
    ['', 'en'],
    [null, 'en'],
    ['not a language', 'en'],
  ];
  for (const [code, expected] of cases) {
    it(`language_code ${JSON.stringify(code)} reads ${expected}`, () => expect(pickLocale(code)).to.equal(expected));
  }
  it('Intl gets a BCP 47 tag whatever form Concur sent', () => {
    expect(intlLocale('de_DE')).to.equal('de-DE');
    expect(intlLocale('pt-br')).to.equal('pt-BR');
    expect(intlLocale('fr')).to.equal('fr');
    expect(intlLocale('bad!')).to.equal('en');
  });
});

describe('the popup in each language', () => {
  const expected: [string, string, string[], string][] = [
    ['en_US', 'Choose a value', ['Cancel', 'Done'], 'Taxi · €42.50 · Nov 12, 2026'],
    ['de_DE', 'Wert auswählen', ['Abbrechen', 'Fertig'], 'Taxi · 42,50 € · 12.11.2026'],
    ['fr_FR', 'Choisissez une valeur', ['Annuler', 'Terminer'], 'Taxi · 42,50 € · 12 nov. 2026'],
    ['es_ES', 'Elija un valor', ['Cancelar', 'Listo'], 'Taxi · 42,50 € · 12 nov 2026'],
    ['it_IT', 'Scegliere un valore', ['Annulla', 'Fine'], 'Taxi · 42,50 € · 12 nov 2026'],
    ['ja_JP', '値を選択してください', ['キャンセル', '完了'], 'Taxi · €42.50 · 2026/11/12'],
    ['pt_BR', 'Escolha um valor', ['Cancelar', 'Concluir'], 'Taxi · € 42,50 · 12 de nov. de 2026'],
  ];
  for (const [code, heading, labels, item] of expected) {
    it(`${code}: heading, buttons, amount and date in that language`, async () => {
      const el = await mount({ ...CONTEXT, languageCode: code });
      expect(el.lang).to.equal(pickLocale(code));
      expect(text(el.shadowRoot!.querySelector('h1'))).to.equal(heading);
      expect(buttons(el.shadowRoot!)).to.deep.equal(labels);
      expect(text(el.shadowRoot!.querySelector('.item')).replace(/\u202f/g, ' ')).to.equal(
        item.replace(/\u202f/g, ' '),
      );
      await expect(el).to.be.accessible();
    });
  }

  it('a wizard speaks German too: progress, buttons and the checks under a field', async () => {
    const el = await mount({ ...WIZARD_CONTEXT, languageCode: 'de' });
    const wizard = el.shadowRoot!.querySelector<LeuWizardElement>('leu-wizard')!;
    await wizard.updateComplete;
    expect(text(wizard.shadowRoot!.querySelector('.progress'))).to.equal('Schritt 1 von 6');
    expect(buttons(wizard.shadowRoot!)).to.deep.equal(['Weiter']);
    wizard.shadowRoot!.querySelector<HTMLButtonElement>('button')!.click();
    await waitUntil(() => wizard.shadowRoot!.querySelector('leu-search')!.shadowRoot!.querySelector('[role=alert]'));
    expect(text(wizard.shadowRoot!.querySelector('leu-search')!.shadowRoot!.querySelector('[role=alert]'))).to.equal(
      'Bitte beantworten Sie diese Frage.',
    );
  });
});

describe('a refused answer in German', () => {
  it("the server's reason is worded in the user's language, on the step it concerns", async () => {
    worker.use(
      http.post('/api/commit', () =>
        HttpResponse.json(
          {
            error: {
              code: 'flow_answer_invalid',
              message: 'Project: PRJ-1001 is not one of the values offered here.',
              step: 'project',
              problem: { kind: 'notOffered', value: 'PRJ-1001' },
            },
          },
          { status: 422 },
        ),
      ),
    );
    const el = await mount({
      ...WIZARD_CONTEXT,
      languageCode: 'de_DE',
      prefill: {
        project: { code: 'PRJ-1001', label: 'Project 1001' },
        task: { code: 'T-1001-DES', label: 'Design' },
        billable: 'Y',
      },
    });
    const wizard = el.shadowRoot!.querySelector<LeuWizardElement>('leu-wizard')!;
    wizard.submit();
    const search = () => wizard.shadowRoot!.querySelector('leu-search')?.shadowRoot?.querySelector('[role=alert]');
    await waitUntil(() => search(), 'the project step shows the refusal');
    expect(text(search())).to.equal('PRJ-1001 wird hier nicht mehr angeboten. Bitte wählen Sie erneut.');
    expect(text(wizard.shadowRoot!.querySelector('.progress'))).to.equal('Schritt 1 von 6');
    expect(el.shadowRoot!.querySelector('.alert')).to.equal(null);
  });
});

describe('layout', () => {
  it('a host themes the popup through custom properties and ::part', async () => {
    const el = await mount(CONTEXT, '--leu-accent: rgb(120, 20, 60); --leu-radius: 0px');
    const done = [...el.shadowRoot!.querySelectorAll('button')].find((b) => text(b) === 'Done')!;
    expect(getComputedStyle(done).backgroundColor).to.equal('rgb(120, 20, 60)');
    expect(getComputedStyle(done).borderTopLeftRadius).to.equal('0px');
    expect(done.getAttribute('part')).to.equal('done');
    await el.shadowRoot!.querySelector('leu-search')!.updateComplete;
    const input = el.shadowRoot!.querySelector('leu-search')!.shadowRoot!.querySelector('input')!;
    expect(getComputedStyle(input).borderTopLeftRadius).to.equal('0px');
    // ::part reaches the popup's own buttons and, passed on, the search box inside it.
    const sheet = document.createElement('style');
    sheet.textContent =
      'leu-popup::part(done) { outline: 3px solid rgb(0, 128, 0); } leu-popup::part(input) { letter-spacing: 2px; }';
    document.head.append(sheet);
    try {
      expect(getComputedStyle(done).outlineColor).to.equal('rgb(0, 128, 0)');
      expect(getComputedStyle(input).letterSpacing).to.equal('2px');
    } finally {
      sheet.remove();
    }
  });

  it("a wizard's steps are reachable with ::part too", async () => {
    const el = await mount(WIZARD_CONTEXT);
    const wizard = el.shadowRoot!.querySelector<LeuWizardElement>('leu-wizard')!;
    await wizard.updateComplete;
    const sheet = document.createElement('style');
    sheet.textContent =
      'leu-popup::part(next) { letter-spacing: 3px; } leu-popup::part(input) { letter-spacing: 4px; }';
    document.head.append(sheet);
    try {
      const next = [...wizard.shadowRoot!.querySelectorAll('button')].find((b) => text(b) === 'Next')!;
      expect(getComputedStyle(next).letterSpacing).to.equal('3px');
      await wizard.shadowRoot!.querySelector('leu-search')!.updateComplete;
      const input = wizard.shadowRoot!.querySelector('leu-search')!.shadowRoot!.querySelector('input')!;
      expect(getComputedStyle(input).letterSpacing).to.equal('4px');
    } finally {
      sheet.remove();
    }
  });

  it('right to left: logical properties put the buttons and the active marker on the other side', async () => {
    const el = await mount(CONTEXT);
    el.dir = 'rtl';
    await el.updateComplete;
    const [cancel, done] = [...el.shadowRoot!.querySelectorAll('footer button')].map((b) => b.getBoundingClientRect());
    expect(done!.right).to.be.lessThan(cancel!.left, 'Done comes first from the right, at the far left');
    const search = el.shadowRoot!.querySelector('leu-search')!;
    await waitUntil(() => search.shadowRoot!.querySelector('[role=option]'), 'the results are listed');
    const option = search.shadowRoot!.querySelector<HTMLElement>('[role=option]')!;
    expect(getComputedStyle(option).borderRightWidth).to.equal('3px');
    expect(getComputedStyle(option).borderLeftWidth).to.equal('0px');
  });

  it('is_mobile: large targets, and nothing wider than a 320 x 480 window in any wizard step', async () => {
    await setViewport({ width: 320, height: 480 });
    const el = await mount({ ...WIZARD_CONTEXT, isMobile: true }, 'height: 480px; width: 320px');
    expect(el.hasAttribute('mobile')).to.equal(true);
    const wizard = el.shadowRoot!.querySelector<LeuWizardElement>('leu-wizard')!;
    await wizard.updateComplete;
    const next = [...wizard.shadowRoot!.querySelectorAll('button')].find((b) => text(b) === 'Next')!;
    expect(next.getBoundingClientRect().height).to.be.at.least(44);
    await wizard.shadowRoot!.querySelector('leu-search')!.updateComplete;
    const input = wizard.shadowRoot!.querySelector('leu-search')!.shadowRoot!.querySelector('input')!;
    expect(input.getBoundingClientRect().height).to.be.at.least(44);
    // Walk every step by answering it, checking that nothing spills out sideways.
    wizard.answers = {
      project: { code: 'PRJ-1001', label: 'Project 1001' },
      task: { code: 'T-1001-DES', label: 'Design' },
      billable: 'N',
      reason: 'Internal training',
    };
    for (let i = 0; i < 7; i++) {
      await wizard.updateComplete;
      await new Promise((r) => setTimeout(r, 30));
      expect(el.scrollWidth, `step ${i + 1}`).to.be.at.most(320);
      // The popup fills the window and nothing in it is cut off at the bottom.
      expect(el.getBoundingClientRect().height, `step ${i + 1}`).to.be.at.most(480);
      expect(el.scrollHeight, `step ${i + 1}`).to.be.at.most(el.clientHeight + 1);
      for (const b of wizard.shadowRoot!.querySelectorAll('button'))
        expect(b.getBoundingClientRect().right - el.getBoundingClientRect().left).to.be.at.most(320);
      const nextButton = [...wizard.shadowRoot!.querySelectorAll('button')].find((b) => text(b) === 'Next');
      if (!nextButton) break;
      nextButton.click();
    }
    expect(text(wizard.shadowRoot!.querySelector('h2'))).to.equal('Review');
    await expect(el).to.be.accessible();
  });
});
