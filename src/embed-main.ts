// Boot of the picker page for other hosts (/embed/v1/picker?field=custom12&lang=de, or a registered company's
// /embed/v1/companies/{id}/picker): in an iframe or a popup, it answers the page that framed or opened it over a
// MessageChannel (src/embed/protocol.ts). No cookies are used.
import { embedConfig } from './api/embed.ts';
import { HostLink } from './embed/protocol.ts';
import { pickLocale, setLocale } from './i18n/locale.ts';
import './elements/leu-picker.ts';
import { isFieldId } from './contract/field-id.ts';

const params = new URL(location.href).searchParams;
/** Where this page's company's picker API lives: the page's own folder (/embed/v1 or /embed/v1/companies/{id}). */
const base = `${location.origin}${location.pathname.replace(/\/picker$/, '')}`;
const field = params.get('field') ?? '';
const language = params.get('lang') ?? navigator.language;
const main = document.querySelector('main')!;
void setLocale(pickLocale(language));
document.documentElement.lang = pickLocale(language);

const host: Window | null = window.parent !== window ? window.parent : (window.opener as Window | null);
const say = (text: string) => {
  const p = document.createElement('p');
  p.setAttribute('role', 'alert');
  p.textContent = text;
  main.replaceChildren(p);
};

if (!host) {
  say('This picker is shown by another page, in a frame or a popup window. Open that page instead.');
} else if (!isFieldId(field)) {
  say('The address of this picker lacks the field (?field=custom12).');
} else {
  const link = new HostLink(host, (await embedConfig(base).catch(() => ({ allowedOrigins: [] }))).allowedOrigins);
  const picker = document.createElement('leu-picker');
  picker.source = `${base}/fields/${field}`;
  picker.language = language;
  picker.style.height = '100%';
  picker.style.padding = '0.75rem';
  picker.addEventListener('leu-choose', (e) => {
    const { field: f, writes, item, answers } = e.choice;
    link.send({ type: 'result', field: f, writes, ...(item ? { item } : {}), ...(answers ? { answers } : {}) });
    // A popup closes once its host has the answer (it may not have connected yet), never before.
    if (window.opener === host) void link.delivered.then(() => window.close());
  });
  picker.addEventListener('leu-close', () => {
    link.send({ type: 'cancel' });
    if (window.opener === host) void link.delivered.then(() => window.close());
  });
  // A real exception only: the browser also reports benign notices here (a ResizeObserver loop) with no error.
  window.addEventListener('error', (e) => {
    if (e.error instanceof Error) link.send({ type: 'error', code: 'picker_failed', message: e.error.message });
  });
  main.append(picker);
  link.start();
}
