// <sim-expense-list>: the sandbox's stand-in for Concur's expense form, with a Launch URL field and its button.
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { Task } from '@lit/task';
import ky from 'ky';
import { SANDBOX_PROJECT_FIELD, SANDBOX_REPORT } from '../concur-state.js';

interface Entry {
  expenseId: string;
  expenseType: { name: string };
  transactionAmount: { value: number; currencyCode: string };
  transactionDate: string;
  customData: { id: string; value: string | null }[];
}

/**
 * Shows the report's expense entries as Concur's form would, each with a read-only Project field and a button
 * that opens the connector's popup exactly as Concur does. When the popup closes, the entry is read again.
 */
@customElement('sim-expense-list')
export class SimExpenseListElement extends LitElement {
  static override styles = css`
    :host { display: block; font: 0.9375rem/1.4 system-ui, sans-serif; max-width: 44rem; margin: 0 auto; padding: 1rem; }
    .banner { background: #fff7d6; color: #5c4400; border: 1px solid #e6c84f; border-radius: 4px; padding: 0.5rem 0.75rem; }
    h1 { font-size: 1.25rem; }
    section { border: 1px solid #c7cdd4; border-radius: 6px; padding: 1rem; margin-block: 1rem; }
    dl { display: grid; grid-template-columns: 10rem 1fr; gap: 0.5rem 1rem; margin: 0; align-items: center; }
    dt { font-weight: 600; }
    dd { margin: 0; }
    .field { display: flex; gap: 0.25rem; }
    .field input { font: inherit; flex: 1; padding: 0.375rem 0.5rem; border: 1px solid #9aa3ad; border-radius: 4px; background: #f3f4f6; color: #111; }
    button { font: inherit; padding: 0.375rem 0.75rem; border-radius: 4px; border: 1px solid #0b5cad; background: #0b5cad; color: #fff; cursor: pointer; }
    .settings { font-size: 0.875rem; }
    .settings input { width: 5rem; }
    @media (prefers-color-scheme: dark) { .banner { background: #3d3200; color: #ffe58a; } }
  `;

  /** Where the fake Concur answers. */
  @property({ attribute: 'concur-base' }) concurBase = '/sandbox/concur';
  /** Popup size, as an administrator sets it on the Launch URL field. */
  @property({ type: Number, attribute: 'popup-width' }) popupWidth = 400;
  @property({ type: Number, attribute: 'popup-height' }) popupHeight = 400;

  @state() private waiting = false;
  #poll?: ReturnType<typeof setInterval>;

  private readonly entries = new Task(this, {
    task: async ([base], { signal }) => ky.get(`${base}/sandbox-ui/expenses`, { signal, retry: 0 }).json<Entry[]>(),
    args: () => [this.concurBase] as const,
  });

  override disconnectedCallback() {
    super.disconnectedCallback();
    clearInterval(this.#poll);
  }

  /** Concur opens the popup and watches it; when it closes, the form reloads the entry. */
  private launch(entry: Entry) {
    const url = `/sandbox/launch?${new URLSearchParams({ expense: entry.expenseId, field: SANDBOX_PROJECT_FIELD.id, lang: navigator.language })}`;
    const popup = window.open(url, 'leu-popup', `popup,width=${this.popupWidth},height=${this.popupHeight}`);
    if (!popup) return;
    this.waiting = true;
    clearInterval(this.#poll);
    this.#poll = setInterval(() => {
      if (!popup.closed) return;
      clearInterval(this.#poll);
      this.waiting = false;
      void this.entries.run();
    }, 250);
  }

  private renderEntry(e: Entry) {
    const value = e.customData.find((f) => f.id === SANDBOX_PROJECT_FIELD.id)?.value ?? '';
    const amount = new Intl.NumberFormat(undefined, { style: 'currency', currency: e.transactionAmount.currencyCode }).format(e.transactionAmount.value);
    return html`<section aria-label="Expense ${e.expenseType.name}">
      <dl>
        <dt>Expense type</dt><dd>${e.expenseType.name}</dd>
        <dt>Amount</dt><dd>${amount}</dd>
        <dt>Transaction date</dt><dd>${e.transactionDate}</dd>
        <dt><label for="field-${e.expenseId}">${SANDBOX_PROJECT_FIELD.label}</label></dt>
        <dd class="field">
          <input id="field-${e.expenseId}" readonly .value=${value} />
          <button @click=${() => this.launch(e)} aria-label="Choose ${SANDBOX_PROJECT_FIELD.label}">…</button>
        </dd>
      </dl>
    </section>`;
  }

  override render() {
    return html`
      <p class="banner">Concur sandbox: a simulated SAP Concur expense form. Nothing here reaches a real Concur.</p>
      <h1>${SANDBOX_REPORT.name}</h1>
      <p class="settings">
        Popup size:
        <label>width <input type="number" min="200" .value=${String(this.popupWidth)} @change=${(ev: Event) => { this.popupWidth = Number((ev.target as HTMLInputElement).value); }} /></label>
        <label>height <input type="number" min="200" .value=${String(this.popupHeight)} @change=${(ev: Event) => { this.popupHeight = Number((ev.target as HTMLInputElement).value); }} /></label>
      </p>
      ${this.waiting ? html`<p role="status">The popup is open; the form reloads when it closes.</p>` : nothing}
      ${this.entries.render({
        pending: () => (this.entries.value ? this.entries.value.map((e) => this.renderEntry(e)) : html`<p>Loading…</p>`),
        complete: (list) => list.map((e) => this.renderEntry(e)),
        error: () => html`<p role="alert">The sandbox did not answer. <button @click=${() => this.entries.run()}>Retry</button></p>`,
      })}
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'sim-expense-list': SimExpenseListElement;
  }
}
