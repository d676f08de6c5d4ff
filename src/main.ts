// Boot of the popup page: tidy the address bar, build the API client, mount <leu-popup>, close when done.
import { createLazyApiClient } from './api/lazy-client.ts';
import { pickLocale, setLocale } from './i18n/locale.ts';
import './elements/leu-popup.ts';

// The launch's redirect says when the field has a wizard (`?wizard`), so no search box shows before it.
const expectWizard = new URLSearchParams(location.search).has('wizard');
// Launch parameters never stay in the address bar (the server already redirected them away; this is a guard).
if (location.search || location.hash) history.replaceState(null, '', location.pathname);

// Until the session says which language the user works in, the browser's is the best guess.
void setLocale(pickLocale(navigator.language));

const popup = document.createElement('leu-popup');
popup.api = createLazyApiClient();
popup.expectWizard = expectWizard;
popup.addEventListener('leu-close', (e) => {
  // Concur reloads the form when this window closes; the write has already been confirmed by then.
  if (!e.defaultPrevented) window.close();
});
// The page takes the language and direction the popup settles on, and names itself after its heading: the popup
// sets lang and dir when its context has loaded, which is when its heading is known.
new MutationObserver(() => {
  document.documentElement.lang = popup.lang || 'en';
  document.documentElement.dir = popup.dir || 'ltr';
  if (popup.heading) document.title = popup.heading;
}).observe(popup, { attributes: true, attributeFilter: ['lang', 'dir'] });
document.querySelector('main')!.append(popup);
