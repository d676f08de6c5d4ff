// <leu-popup>: the whole popup: what the user is editing, the search, and Done / Cancel with the write to Concur.
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { Task, TaskStatus } from '@lit/task';
import type { ApiClient } from '../api/client.js';
import { ApiError } from '../api/client.js';
import type { CatalogItem, Money, SessionContext } from '../contract/api.js';
import { PopupCloseEvent, type ValueSelectEvent } from './events.js';
import './leu-search.js';
import type { SearchFunction } from './leu-search.js';

/** Concur's data can surprise (an unknown currency, an odd date, an unusual locale): show it raw rather than fail. */
const formatSafely = (format: () => string, raw: string) => {
  try {
    return format();
  } catch {
    return raw;
  }
};
const reference = (e: unknown) => (e instanceof ApiError ? e.correlationId : undefined);
const message = (e: unknown) => (e instanceof Error ? e.message : 'Something went wrong.');

/**
 * The popup Concur opens. Loads the session's context, lets the user pick a value, and on Done asks the server
 * to write it; the close event fires only after Concur has confirmed the write.
 *
 * @fires leu-close - PopupCloseEvent, after a confirmed write or on Cancel; cancel it to keep the window open.
 * @csspart done - The Done button.
 * @csspart cancel - The Cancel button.
 * @cssprop --leu-accent - Accent colour of buttons and the active result.
 */
@customElement('leu-popup')
export class LeuPopupElement extends LitElement {
  static override styles = css`
    :host {
      display: flex; flex-direction: column; gap: 0.75rem; box-sizing: border-box; height: 100%;
      padding: 0.75rem 1rem; font: 0.9375rem/1.4 system-ui, sans-serif; --_accent: var(--leu-accent, #0b5cad);
    }
    h1 { font-size: 1.0625rem; margin: 0; }
    .item, .current, .choice, .owner { margin: 0.125rem 0 0; }
    .owner { font-weight: 600; }
    .item { color: #4b5563; }
    leu-search { flex: 1; min-height: 0; }
    .alert { border: 1px solid #9b1c1c; border-radius: 4px; padding: 0.5rem 0.75rem; color: #7f1d1d; background: #fef2f2; }
    .alert p { margin: 0 0 0.375rem; }
    .ref { font-size: 0.8125rem; }
    footer { display: flex; justify-content: flex-end; gap: 0.5rem; }
    button { font: inherit; padding: 0.4375rem 1rem; border-radius: 4px; border: 1px solid #6b7280; background: ButtonFace; color: ButtonText; cursor: pointer; }
    button.primary { background: var(--_accent); border-color: var(--_accent); color: #fff; }
    button:disabled { opacity: 0.55; cursor: not-allowed; }
    button:focus-visible { outline: 2px solid var(--_accent); outline-offset: 2px; }
    .saved { font-weight: 600; }
    @media (prefers-color-scheme: dark) {
      .item { color: #c4c8cf; }
      .alert { background: #3b0d0d; color: #fecaca; border-color: #fca5a5; }
    }
  `;

  /** The client for the companion server, bound to this popup's session. */
  @property({ attribute: false }) api?: ApiClient;

  @state() private chosen: CatalogItem | null = null;
  @state() private saved = false;

  private readonly context = new Task(this, {
    task: async ([api], { signal }) => (api ? api.context(signal) : undefined),
    args: () => [this.api] as const,
    onComplete: (ctx) => {
      if (ctx?.currentItem && !this.chosen) this.chosen = ctx.currentItem;
      // Ready to type as soon as the popup has loaded.
      void this.updateComplete.then(() => this.renderRoot.querySelector('leu-search')?.focus());
    },
  });

  private readonly commit = new Task(this, {
    autoRun: false,
    task: async ([code]: readonly [string]) => this.api!.commit(code),
    onComplete: (r) => {
      this.saved = true;
      this.close('committed', r.value);
    },
  });

  private search: SearchFunction = (query, signal, offset, parent) => this.api!.search(query, signal, offset, parent);

  private close(reason: 'committed' | 'cancelled', value?: string) {
    this.dispatchEvent(new PopupCloseEvent(reason, value));
  }

  private onSelect(e: ValueSelectEvent) {
    this.chosen = e.item;
  }

  private onDone() {
    if (!this.chosen || this.commit.status === TaskStatus.PENDING) return;
    const ctx = this.context.value;
    // Nothing changed: there is nothing to write, and closing is what the user asked for.
    if (ctx && ctx.currentValue === this.chosen.code) {
      this.saved = true;
      return this.close('committed', this.chosen.code);
    }
    void this.commit.run([this.chosen.code]);
  }

  /** One line on what the user is working on: the entry, the report, or the allocation. */
  private describeItem(ctx: SessionContext): string {
    const locale = ctx.languageCode;
    const money = (m: Money | null) => (m ? formatSafely(() => new Intl.NumberFormat(locale, { style: 'currency', currency: m.currency }).format(m.value), `${m.value} ${m.currency}`) : '');
    const { item } = ctx;
    switch (item.kind) {
      case 'ENTRY': {
        const date = item.date ? formatSafely(() => new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone: 'UTC' }).format(new Date(`${item.date!.slice(0, 10)}T00:00:00Z`)), item.date) : '';
        return [item.expenseType, money(item.amount), date].filter(Boolean).join(' · ');
      }
      case 'HEADER':
        return [`Report: ${item.reportName}`, money(item.total)].filter(Boolean).join(' · ');
      case 'ALLOCATION': {
        const pct = item.percentage === null ? '' : `${formatSafely(() => new Intl.NumberFormat(locale, { maximumFractionDigits: 2 }).format(item.percentage!), String(item.percentage))} %`;
        return ['Allocation', pct, money(item.amount)].filter(Boolean).join(' · ');
      }
    }
  }

  private renderItem(ctx: SessionContext) {
    const { report } = ctx;
    const owner = report.ownerEmployeeId ? `employee ${report.ownerEmployeeId}` : 'another employee';
    return html`<header>
      <h1>Choose a value</h1>
      <p class="item">${this.describeItem(ctx)}</p>
      ${ctx.item.kind !== 'HEADER' && report.name ? html`<p class="item">Report: ${report.name}</p>` : nothing}
      ${report.onBehalfOfOwner ? html`<p class="owner">You are working on the report of ${owner}, as a delegate.</p>` : nothing}
      ${report.submitted ? html`<p class="owner">This report has been submitted.</p>` : nothing}
      <p class="current">
        Current value: ${ctx.currentValue
          ? html`<strong>${ctx.currentItem?.display ?? ctx.currentValue}</strong>${ctx.currentItem ? ` ${ctx.currentItem.label}` : ''}`
          : html`<em>none</em>`}
      </p>
    </header>`;
  }

  private renderCommitState() {
    if (this.saved) return html`<p class="saved" role="status">Saved. You can close this window.</p>`;
    return this.commit.render({
      pending: () => html`<p role="status">Saving to Concur…</p>`,
      error: (e) => html`<div class="alert" role="alert">
        <p>${message(e)}</p>
        ${reference(e) ? html`<p class="ref">Reference for support: <code>${reference(e)}</code></p>` : nothing}
        <button @click=${this.onDone}>Retry</button>
      </div>`,
    });
  }

  private renderBody(ctx: SessionContext) {
    const saving = this.commit.status === TaskStatus.PENDING;
    return html`
      ${this.renderItem(ctx)}
      <leu-search label="Search values" .search=${this.search} .chosen=${this.chosen} @leu-select=${this.onSelect}></leu-search>
      <p class="choice" aria-live="polite">
        ${this.chosen ? html`Selected: <strong>${this.chosen.display ?? this.chosen.code}</strong> ${this.chosen.label}` : 'Nothing selected yet.'}
      </p>
      ${this.renderCommitState()}
      <footer>
        <button part="cancel" ?disabled=${saving} @click=${() => this.close('cancelled')}>Cancel</button>
        <button part="done" class="primary" ?disabled=${!this.chosen || saving || this.saved} @click=${this.onDone}>Done</button>
      </footer>
    `;
  }

  override render() {
    return this.context.render({
      initial: () => html`<p role="status">Loading…</p>`,
      pending: () => html`<p role="status">Loading the expense from Concur…</p>`,
      complete: (ctx) => (ctx ? this.renderBody(ctx) : nothing),
      error: (e) => html`<div class="alert" role="alert">
        <p>${message(e)}</p>
        ${reference(e) ? html`<p class="ref">Reference for support: <code>${reference(e)}</code></p>` : nothing}
        <button @click=${() => this.context.run()}>Retry</button>
      </div>`,
    });
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'leu-popup': LeuPopupElement;
  }
}
