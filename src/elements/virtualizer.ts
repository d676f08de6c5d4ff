// Loads <lit-virtualizer> in its own chunk, off the popup's first screen: nothing needs it before there are results.
import type { ReactiveController, ReactiveControllerHost } from 'lit';

/** One load for the page. A failed load is not kept, so the next request asks the browser again. */
let loading: Promise<void> | undefined;
let loaded = false;

/** Tells its host whether <lit-virtualizer> is there yet; the host renders a plain list until it is. */
export class VirtualizerLoader implements ReactiveController {
  constructor(private readonly host: ReactiveControllerHost) {
    host.addController(this);
  }

  get loaded(): boolean {
    return loaded;
  }

  hostConnected() {
    this.load();
  }

  /** Asks for the virtualizer unless it is there; the host updates once it is. A failure leaves the plain list. */
  load() {
    if (loaded) return;
    loading ??= import('@lit-labs/virtualizer').then(
      () => {
        loaded = true;
      },
      (error: unknown) => {
        loading = undefined;
        throw error;
      },
    );
    loading.then(
      () => this.host.requestUpdate(),
      () => undefined,
    );
  }
}
