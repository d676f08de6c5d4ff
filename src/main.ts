// Boot of the popup page: tidy the address bar, build the API client, mount <leu-popup>, close when done.
import { createLazyApiClient } from './api/lazy-client.ts';
import { pickLocale, setLocale } from './i18n/locale.ts';
import './elements/leu-popup.ts';

// index.html is the whole first paint: its style (src/page.css, inline, since a stylesheet of its own would hold up
// the first paint for a request) and a "Loading…" line this module replaces. Its inline script runs at once, before
// anything loads: the launch's parameters leave the address bar (the page takes the popup's own address, and its
// history entry keeps whether the field has a wizard, which the launch put on <html>), and the session is claimed
// while this module loads (src/api/session-token.ts takes the claim). The server allows both by their hashes.
//
// The page's inline script has taken the launch's parameters out of the address bar and kept, in the history
// entry's state, whether the field has a wizard (so no search box shows before the wizard, a reload included).
const expectWizard = (history.state as { leuWizard?: boolean } | null)?.leuWizard === true;

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
document.querySelector('main')!.replaceChildren(popup);
