// How Concur opens a Launch URL field's popup and watches it, for the simulated forms: one named window at the size
// the administrator set, and the form read again once it closes.

/** A popup window being watched; stop() ends the watch (a new launch, or the form leaving the page). */
export class ConcurPopup {
  #poll?: ReturnType<typeof setInterval>;

  /** Opens the launch URL; true when the window opened, and `closed` then runs once, after it closes. */
  open(url: string, size: { width: number; height: number }, closed: () => void): boolean {
    const popup = window.open(url, 'leu-popup', `popup,width=${size.width},height=${size.height}`);
    if (!popup) return false;
    this.stop();
    this.#poll = setInterval(() => {
      if (!popup.closed) return;
      this.stop();
      closed();
    }, 250);
    return true;
  }

  stop(): void {
    clearInterval(this.#poll);
  }
}
