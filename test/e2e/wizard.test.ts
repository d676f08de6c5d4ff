// End to end, keyboard only: a wizard from examples/fields.json in the real server's sandbox, driven in Debian's
// Chromium from the simulated expense form to the write, at 400 x 400 and at 320 x 480 (German, dark, mobile),
// with a screenshot of every step saved in test-output/e2e/ for a person to look at.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { SANDBOX_IDS } from '../../server/sandbox/concur-state.ts';
import { E2E_OUT as OUT, useSandboxAndBrowser } from './sandbox-browser.ts';

const WIZARD = 'Choose Project and task for Taxi';

const { server, browser } = useSandboxAndBrowser();

/** The element with the keyboard focus, through shadow roots: its role, accessible label and text. */
const focused = (page: Page) =>
  page.evaluate(() => {
    let a: Element | null = document.activeElement;
    while (a?.shadowRoot?.activeElement) a = a.shadowRoot.activeElement;
    return {
      tag: a?.tagName.toLowerCase(),
      role: a?.getAttribute('role') ?? '',
      label: a?.getAttribute('aria-label') ?? '',
      text: a?.textContent?.trim() ?? '',
      type: (a as HTMLInputElement | null)?.type ?? '',
    };
  });

/** Presses Tab (or Shift+Tab) until the focus is on what `is` accepts; fails after `max` presses. */
async function tabTo(page: Page, is: (f: Awaited<ReturnType<typeof focused>>) => boolean, what: string, max = 80) {
  for (let i = 0; i < max; i++) {
    if (is(await focused(page))) return;
    await page.keyboard.press('Tab');
  }
  assert.fail(`Tab never reached ${what}`);
}
const tabToButton = (page: Page, name: string) =>
  tabTo(page, (f) => f.tag === 'button' && (f.text === name || f.label === name), `the ${name} button`, 8);

/** The wizard's step line and the popup's visible text, through shadow roots. */
const progress = (popup: Page) => popup.locator('leu-wizard .progress').innerText();

interface Run {
  tag: string;
  /** Chosen in the simulator's language list (de_DE only). */
  language?: 'de_DE';
  size: { width: number; height: number };
  scheme: 'light' | 'dark';
  mobile?: boolean;
  words: { next: string; done: string; step: (n: number, of: number) => string };
}

async function runWizard(run: Run) {
  const context = await browser().newContext({ colorScheme: run.scheme, viewport: { width: 1000, height: 1600 } });
  const page = await context.newPage();
  await page.goto(`${server().url}/`);
  await page.getByRole('button', { name: WIZARD }).waitFor();

  // The simulator's settings, by keyboard: the user's language, the device, the popup size the admin set.
  if (run.language) {
    await tabTo(page, (f) => f.tag === 'select' && f.text.includes('Deutsch'), 'the language list');
    // From "The browser's", past English, to Deutsch.
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
  }
  if (run.mobile) {
    await tabTo(page, (f) => f.type === 'checkbox', 'the Mobile checkbox');
    await page.keyboard.press('Space');
  }
  await tabTo(page, (f) => f.type === 'number', 'the popup width');
  await page.keyboard.press('ControlOrMeta+a');
  await page.keyboard.type(String(run.size.width));
  await page.keyboard.press('Tab');
  await page.keyboard.press('ControlOrMeta+a');
  await page.keyboard.type(String(run.size.height));
  await page.keyboard.press('Tab');

  // Tab to the wizard field's button and press Enter, as Concur's user would.
  await tabTo(page, (f) => f.label === WIZARD, 'the wizard button');
  const [popup] = await Promise.all([page.waitForEvent('popup'), page.keyboard.press('Enter')]);
  // What the popup shows first, looked at every 10 ms: the wizard, never a search box the wizard then replaces.
  const first = await popup.waitForFunction(
    () => {
      const shown = document.querySelector('leu-popup')?.shadowRoot;
      return shown?.querySelector('leu-wizard') ? 'wizard' : shown?.querySelector('leu-search') ? 'search box' : false;
    },
    null,
    { polling: 10 },
  );
  assert.equal(await first.jsonValue(), 'wizard', 'the popup shows the wizard first');
  await popup.locator('leu-wizard .progress').waitFor();
  assert.equal(
    await popup.evaluate(() => location.pathname + location.search + location.hash),
    '/app/',
    'the address bar keeps nothing of the launch',
  );
  assert.deepEqual(popup.viewportSize(), run.size);
  const shot = async (n: number, name: string) =>
    popup.screenshot({ path: `${OUT}/wizard-${run.tag}-${n}-${name}.png` });

  // Step 1, the project: the focus is already in the search box.
  assert.equal((await focused(popup)).role, 'combobox', 'the popup opens with the focus in the search box');
  assert.equal(await progress(popup), run.words.step(1, 4));
  await popup.keyboard.type('website', { delay: 20 });
  await popup.getByRole('option', { name: /PRJ-1001/ }).waitFor();
  await popup.keyboard.press('Enter');
  await popup.locator('leu-wizard .choice', { hasText: 'PRJ-1001' }).waitFor();
  await shot(1, 'project');
  await tabToButton(popup, run.words.next);
  await popup.keyboard.press('Enter');

  // Step 2, the task: only the chosen project's tasks (and those for every project).
  await popup.locator('leu-wizard .progress', { hasText: run.words.step(2, 4) }).waitFor();
  assert.equal((await focused(popup)).role, 'combobox');
  await popup.getByRole('option', { name: /T-1001-DES/ }).waitFor();
  const codes = await popup.locator('leu-search [role=option] .code').allInnerTexts();
  assert.deepEqual(codes.sort(), ['T-1001-DES', 'T-1001-DEV', 'T-1001-QA', 'T-GEN-ADM']);
  await popup.keyboard.type('devel', { delay: 20 });
  await popup.getByRole('option', { name: /T-1001-DEV/ }).waitFor();
  await popup.keyboard.press('Enter');
  await popup.locator('leu-wizard .choice', { hasText: 'T-1001-DEV' }).waitFor();
  await shot(2, 'task');
  await tabToButton(popup, run.words.next);
  await popup.keyboard.press('Enter');

  // Step 3, billable: arrow keys choose among the radio buttons; Enter goes on. "No" adds the reason step.
  await popup.locator('leu-wizard .progress', { hasText: run.words.step(3, 4) }).waitFor();
  assert.equal((await focused(popup)).type, 'radio');
  await popup.keyboard.press('ArrowDown');
  await popup.locator('leu-wizard .progress', { hasText: run.words.step(3, 5) }).waitFor();
  await shot(3, 'billable');
  await popup.keyboard.press('Enter');

  // Step 4, the reason: too short first, so the error shows, then a real one.
  await popup.locator('leu-wizard .progress', { hasText: run.words.step(4, 5) }).waitFor();
  assert.equal((await focused(popup)).type, 'text');
  await popup.keyboard.type('no');
  await popup.keyboard.press('Enter');
  await popup.locator('leu-field [role=alert]').waitFor();
  assert.equal((await focused(popup)).type, 'text', 'the focus stays in the field with the error');
  await shot(4, 'reason-error');
  await popup.keyboard.press('ControlOrMeta+a');
  await popup.keyboard.type('Internal workshop');
  await popup.keyboard.press('Enter');

  // Step 5, the review: what will be written where.
  await popup.locator('leu-wizard .progress', { hasText: run.words.step(5, 5) }).waitFor();
  const review = await popup.locator('leu-wizard dl').innerText();
  for (const expected of [
    'PRJ-1001',
    'custom16',
    'T-1001-DEV',
    'custom17',
    'N',
    'custom18',
    'Internal workshop',
    'custom19',
  ])
    assert.ok(review.includes(expected), `the review shows ${expected}`);
  await shot(5, 'review');

  await tabToButton(popup, run.words.done);
  const closed = popup.waitForEvent('close');
  await popup.keyboard.press('Enter');
  await closed;

  const entry = (id: string) => server().sandbox!.fieldValue(SANDBOX_IDS.taxi, id);
  assert.deepEqual(['custom16', 'custom17', 'custom18', 'custom19'].map(entry), [
    'PRJ-1001',
    'T-1001-DEV',
    'N',
    'Internal workshop',
  ]);
  // The form re-reads the entry and shows every written field.
  await page.locator('dd[data-field=custom19]', { hasText: 'Internal workshop' }).waitFor();
  await page.screenshot({ path: `${OUT}/wizard-${run.tag}-6-simulator.png` });
  await context.close();
}

const KEYBOARD_400 =
  'keyboard only, at 400 x 400: project, task within it, not billable so a reason, review, ' +
  'Done writes all four fields';
test(KEYBOARD_400, async () => {
  await runWizard({
    tag: 'en-400x400',
    size: { width: 400, height: 400 },
    scheme: 'light',
    words: { next: 'Next', done: 'Done', step: (n, of) => `Step ${n} of ${of}` },
  });
});

test('keyboard only, at 320 x 480 on a phone, in German and the dark scheme', async () => {
  await runWizard({
    tag: 'de-320x480-dark',
    language: 'de_DE',
    mobile: true,
    size: { width: 320, height: 480 },
    scheme: 'dark',
    words: { next: 'Weiter', done: 'Fertig', step: (n, of) => `Schritt ${n} von ${of}` },
  });
});
