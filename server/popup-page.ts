// The popup's page as a launch answers it: the built index.html, saying whether the field has a wizard. A launch
// answers with the page itself (no redirect to it), so the page's files start loading one round trip sooner.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface PopupPage {
  /** The page for a field: with `data-wizard` on its <html> when the field has a wizard. */
  html(wizard: boolean): string;
}

/** The built page, or undefined before `npm run build`. */
export function loadPopupPage(distDir: string): PopupPage | undefined {
  let built: string;
  try {
    built = readFileSync(join(distDir, 'index.html'), 'utf8');
  } catch {
    return undefined;
  }
  const wizardPage = built.replace('<html lang="en">', '<html lang="en" data-wizard>');
  return { html: (wizard) => (wizard ? wizardPage : built) };
}

/** CSP sources for the built page's inline scripts and styles (the early claim, the page's own style), by hash. */
export function inlineSources(distDir: string): { scripts: string[]; styles: string[] } {
  let built: string;
  try {
    built = readFileSync(join(distDir, 'index.html'), 'utf8');
  } catch {
    return { scripts: [], styles: [] };
  }
  const hashes = (tag: string) =>
    [...built.matchAll(new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`, 'g'))].map(
      (m) => `'sha256-${createHash('sha256').update(m[1]!).digest('base64')}'`,
    );
  return { scripts: hashes('script'), styles: hashes('style') };
}
