// A failure as the elements show it: what happened in the user's language, the server's own words when they
// add something, the reference for support, and Retry.
import { html, nothing } from 'lit';
import { msg } from '@lit/localize';
import { failureText } from '../i18n/messages.ts';

export function failureAlert(e: unknown, retry: () => void) {
  const f = failureText(e);
  return html`<div class="alert" role="alert" part="alert">
    <p>${f.message}</p>
    ${f.detail ? html`<p class="detail" lang="en">${f.detail}</p>` : nothing}
    ${f.reference ? html`<p class="ref">${msg('Reference for support:')} <code>${f.reference}</code></p>` : nothing}
    <button @click=${retry}>${msg('Retry')}</button>
  </div>`;
}
