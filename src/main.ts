// Boot of the popup page: tidy the address bar, build the API client, mount <leu-popup>, close when done.
import { createApiClient } from './api/client.js';
import './elements/leu-popup.js';

// Launch parameters never stay in the address bar (the server already redirected them away; this is a guard).
if (location.search || location.hash) history.replaceState(null, '', location.pathname);

const popup = document.createElement('leu-popup');
popup.api = createApiClient();
popup.addEventListener('leu-close', (e) => {
  // Concur reloads the form when this window closes; the write has already been confirmed by then.
  if (!e.defaultPrevented) window.close();
});
document.querySelector('main')!.append(popup);
