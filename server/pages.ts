// Small server-rendered HTML pages: errors a person can read, and the status page outside the sandbox.
import { html, raw } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import { createHash } from 'node:crypto';

const STYLE = `
  :root { color-scheme: light dark; font-family: system-ui, sans-serif; line-height: 1.5; }
  body { margin: 0; padding: 1.5rem; max-width: 40rem; }
  h1 { font-size: 1.25rem; margin: 0 0 .5rem; }
  p { margin: 0 0 1rem; }
  .ref { font-size: .875rem; color: GrayText; }
  code { font-size: .95em; }
`;

/** A CSP source allowing one inline script or style: the hash of its text, every character between the tags. */
export const cspHash = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;

/**
 * The CSP source that allows these pages' one style block by its hash: a fixed hash rather than a nonce, so no
 * answer has to make a random nonce (which cost a fifth of a refused launch's time). The hash covers every character
 * between the tags, so page() writes the element whole, where a formatter cannot indent its text.
 */
export const PAGE_STYLE_SOURCE = cspHash(STYLE);

export function page(opts: { title: string; body: HtmlEscapedString | Promise<HtmlEscapedString> }) {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${opts.title}</title>
        ${raw(`<style>${STYLE}</style>`)}
      </head>
      <body>
        <main>${opts.body}</main>
      </body>
    </html>`;
}

export function errorPage(opts: { title: string; message: string; reference?: string }) {
  return page({
    title: opts.title,
    body: html`<h1>${opts.title}</h1>
      <p role="alert">${opts.message}</p>
      ${opts.reference ? html`<p class="ref">Reference for support: <code>${opts.reference}</code></p>` : ''}`,
  });
}

export function statusPage(opts: { publicUrl: string }) {
  return page({
    title: 'Concur Launch External URL connector',
    body: html`<h1>Concur Launch External URL connector</h1>
      <p>
        This server is running. Concur opens it through the Launch External URL endpoint
        <code>${opts.publicUrl}/launchexternalurl/v4/form</code> (Concur Request:
        <code>${opts.publicUrl}/request/launchexternalurl/v4/form</code>); the Test Connection button calls
        <code>${opts.publicUrl}/system/v1.0/testconnection</code>.
      </p>`,
  });
}
