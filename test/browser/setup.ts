// Imported first by every browser test. "ResizeObserver loop completed with undelivered notifications" is the
// browser's benign notice when the virtualized list's resize observer causes another layout in the same frame;
// it is not an error of ours, so it is kept from mocha's uncaught-error handler (registered later, so after us).
window.addEventListener('error', (e) => {
  if (e.message?.includes('ResizeObserver loop')) e.stopImmediatePropagation();
});
