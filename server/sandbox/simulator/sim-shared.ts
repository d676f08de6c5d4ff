// What the sandbox's simulated Concur forms (<sim-expense-list>, <sim-request-list>) share: the page's base style,
// where the fake Concur answers, the popup size the administrator sets, the configured wizards, and the popup that
// Concur opens and watches, the form read again once it closes.
import { LitElement, css, html } from 'lit';
import { property, state } from 'lit/decorators.js';
import { Task } from '@lit/task';
import ky from 'ky';
import { ConcurPopup } from './concur-popup.ts';

/** A wizard field of the sandbox's (examples/fields.json): the field its button is on, and the fields it writes. */
export interface FlowField {
  id: string;
  label: string;
  writes: { field: string; label: string }[];
}

/** The forms' base style; a form's own styles follow it: css`${simFormStyles} …`. */
export const simFormStyles = css`
  :host {
    display: block;
    font:
      0.9375rem/1.4 system-ui,
      sans-serif;
    max-width: 48rem;
    margin: 0 auto;
    padding: 1rem;
  }
  dl {
    display: grid;
    grid-template-columns: 10rem 1fr;
    gap: 0.375rem 1rem;
    margin: 0;
  }
  dt {
    font-weight: 600;
  }
`;

/** A simulated Concur form. */
export abstract class SimConcurForm extends LitElement {
  /** Where the fake Concur answers. */
  @property({ attribute: 'concur-base' }) concurBase = '/sandbox/concur';
  /** Popup size, as an administrator sets it on the Launch URL field. */
  @property({ type: Number, attribute: 'popup-width' }) popupWidth = 400;
  @property({ type: Number, attribute: 'popup-height' }) popupHeight = 400;

  /** While the popup is open. */
  @state() protected waiting = false;
  readonly #popup = new ConcurPopup();

  /** The wizard fields configured for the sandbox (examples/fields.json). */
  protected readonly flows = new Task(this, {
    task: async (_, { signal }) => ky.get('/sandbox/flows', { signal, retry: 0 }).json<FlowField[]>(),
    args: () => [],
  });

  override disconnectedCallback() {
    super.disconnectedCallback();
    this.#popup.stop();
  }

  /** Concur opens the popup at the administrator's size and watches it; when it closes, `reload` reads the form. */
  protected openPopup(url: string, reload: () => void): void {
    const opened = this.#popup.open(url, { width: this.popupWidth, height: this.popupHeight }, () => {
      this.waiting = false;
      reload();
    });
    if (opened) this.waiting = true;
  }

  /** The status line that says the popup is open. */
  protected renderWaiting() {
    return html`<div role="status">${this.waiting ? 'The popup is open; the form reloads when it closes.' : ''}</div>`;
  }
}
