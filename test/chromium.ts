// Debian's headless Chromium, for the end-to-end tests and the browser benches (CHROMIUM_PATH to use another).
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
];

export const launchChromium = (): Promise<Browser> =>
  chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });

/**
 * In an open popup: types a query, picks the first match with Enter, presses Done, and waits for the popup to close.
 */
export async function chooseAndClose(popup: Page, query: string, expected: string): Promise<void> {
  await popup.getByRole('combobox').fill(query);
  await popup.keyboard.press('Enter');
  await popup.getByText(`Selected: ${expected}`).waitFor();
  const closed = popup.waitForEvent('close');
  await popup.getByRole('button', { name: 'Done' }).click();
  await closed;
}
