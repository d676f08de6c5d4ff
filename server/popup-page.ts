// The popup's page as a launch answers it: the built index.html, saying whether the field has a wizard. A launch
// answers with the page itself (no redirect to it), so the page's files start loading one round trip sooner.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cspHash } from './pages.ts';

export interface PopupPage {
  /** The page for a field: with `data-wizard` on its <html> when the field has a wizard. */
  html(wizard: boolean): string;
  /** CSP sources for its inline scripts (the early claim of the session) and styles, by hash. */
  scripts: string[];
  styles: string[];
}

/** The built page, read once, or undefined before `npm run build`. */
export function loadPopupPage(distDir: string): PopupPage | undefined {
  let built: string;
  try {
    built = readFileSync(join(distDir, 'index.html'), 'utf8');
  } catch {
    return undefined;
  }
  const wizardPage = built.replace('<html lang="en">', '<html lang="en" data-wizard>');
  const hashes = (tag: string) =>
    [...built.matchAll(new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`, 'g'))].map((m) => cspHash(m[1]!));
  return { html: (wizard) => (wizard ? wizardPage : built), scripts: hashes('script'), styles: hashes('style') };
}
