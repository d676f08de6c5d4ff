// <leu-search>: a search box with a list of matching values, following the WAI-ARIA combobox pattern.
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { live } from 'lit/directives/live.js';
import { Task, TaskStatus } from '@lit/task';
import type { CatalogItem, SearchResponse } from '../contract/api.js';
import { ValueSelectEvent } from './events.js';

export type SearchFunction = (query: string, signal: AbortSignal) => Promise<SearchResponse>;

const wait = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (ms <= 0) return resolve();
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(signal.reason);
    }, { once: true });
  });

/**
 * A combobox: the input and its listbox share one shadow root, so `aria-activedescendant` can point into the
 * list. Typing searches after a short pause and aborts the superseded request; arrow keys move through the
 * results, Enter or a click picks one.
 *
 * @fires leu-select - ValueSelectEvent: the user picked a value.
 * @csspart label - The visible label.
 * @csspart input - The search input.
 * @csspart listbox - The list of results.
 * @csspart option - One result.
 * @cssprop --leu-accent - Colour of the active option's marker and focus ring.
 * @cssprop --leu-list-max-height - Height of the result list before it scrolls.
 */
@customElement('leu-search')
export class LeuSearchElement extends LitElement {
  static override styles = css`
    :host { display: flex; flex-direction: column; gap: 0.25rem; min-height: 0; --_accent: var(--leu-accent, #0b5cad); }
    label { font-weight: 600; }
    input {
      font: inherit; padding: 0.5rem 0.625rem; border: 1px solid #6b7280; border-radius: 4px;
      background: Field; color: FieldText;
    }
    input:focus-visible { outline: 2px solid var(--_accent); outline-offset: 1px; }
    ul {
      list-style: none; margin: 0; padding: 0; overflow-y: auto; border: 1px solid #d1d5db; border-radius: 4px;
      max-height: var(--leu-list-max-height, 14rem);
    }
    li { display: flex; gap: 0.5rem; padding: 0.375rem 0.625rem; cursor: pointer; border-inline-start: 3px solid transparent; }
    li[aria-selected='true'] { background: color-mix(in srgb, var(--_accent) 12%, Canvas); border-inline-start-color: var(--_accent); }
    .code { font-weight: 600; font-variant-numeric: tabular-nums; white-space: nowrap; }
    .label { flex: 1; min-width: 0; }
    .detail { display: block; font-size: 0.8125rem; color: #4b5563; }
    .chosen { margin-inline-start: auto; }
    .state { margin: 0; padding: 0.375rem 0; color: #4b5563; }
    .error { color: #9b1c1c; }
    .visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
    button { font: inherit; }
    @media (prefers-color-scheme: dark) {
      .detail, .state { color: #c4c8cf; }
      .error { color: #fca5a5; }
    }
  `;

  /** Runs a search; the element aborts its signal when a newer query supersedes it. */
  @property({ attribute: false }) search?: SearchFunction;

  /** The visible label of the search box. */
  @property() label = 'Search';

  /** The value currently chosen, marked in the list. */
  @property({ attribute: false }) chosen: CatalogItem | null = null;

  /** Milliseconds to wait after a keystroke before searching. */
  @property({ type: Number }) debounce = 150;

  @state() private query = '';
  @state() private active = -1;

  private readonly results = new Task(this, {
    task: async ([query, search], { signal }) => {
      if (!search) return undefined;
      await wait(query ? this.debounce : 0, signal);
      return search(query, signal);
    },
    args: () => [this.query, this.search] as const,
    // With a query typed, the best match is active so Enter picks it.
    onComplete: (r) => {
      this.active = this.query && r?.items.length ? 0 : -1;
      if (this.#pickWhenReady && r?.items[0]) this.pick(r.items[0]);
      this.#pickWhenReady = false;
    },
  });

  /** Enter pressed while the results for the typed query were still on their way. */
  #pickWhenReady = false;

  /** Puts the keyboard focus in the search box. */
  override focus(options?: FocusOptions) {
    this.renderRoot.querySelector('input')?.focus(options);
  }

  private get items(): CatalogItem[] {
    return this.results.value?.items ?? [];
  }

  private onInput(e: InputEvent) {
    this.query = (e.target as HTMLInputElement).value;
    this.active = -1;
    this.#pickWhenReady = false;
  }

  private onKeydown(e: KeyboardEvent) {
    const count = this.items.length;
    switch (e.key) {
      case 'ArrowDown':
        if (!count) return;
        this.active = (this.active + 1) % count;
        break;
      case 'ArrowUp':
        if (!count) return;
        this.active = this.active <= 0 ? count - 1 : this.active - 1;
        break;
      case 'Enter': {
        const item = this.items[this.active];
        if (item) this.pick(item);
        else if (this.query && this.results.status === TaskStatus.PENDING) this.#pickWhenReady = true;
        else return;
        break;
      }
      case 'Escape':
        if (!this.query) return;
        this.query = '';
        this.active = -1;
        break;
      default:
        return;
    }
    e.preventDefault();
  }

  private pick(item: CatalogItem) {
    this.dispatchEvent(new ValueSelectEvent(item));
  }

  protected override updated() {
    // Keep the active option visible while the keyboard moves through a long list.
    this.renderRoot.querySelector(`#option-${this.active}`)?.scrollIntoView?.({ block: 'nearest' });
  }

  private renderOption(item: CatalogItem, i: number) {
    const chosen = this.chosen?.code === item.code;
    return html`<li
      id="option-${i}"
      role="option"
      part="option"
      aria-selected=${i === this.active ? 'true' : 'false'}
      @click=${() => this.pick(item)}
      @mousemove=${() => { if (this.active !== i) this.active = i; }}
    >
      <span class="code">${item.code}</span>
      <span class="label">${item.label}${item.detail ? html`<span class="detail">${item.detail}</span>` : nothing}</span>
      ${chosen ? html`<span class="chosen" aria-label="chosen">✓</span>` : nothing}
    </li>`;
  }

  override render() {
    const items = this.items;
    const open = items.length > 0;
    const activeId = this.active >= 0 && this.active < items.length ? `option-${this.active}` : undefined;
    const total = this.results.value?.total ?? 0;
    return html`
      <label part="label" for="input">${this.label}</label>
      <input
        id="input"
        part="input"
        type="text"
        role="combobox"
        autocomplete="off"
        spellcheck="false"
        aria-autocomplete="list"
        aria-controls="listbox"
        aria-expanded=${open ? 'true' : 'false'}
        aria-activedescendant=${activeId ?? nothing}
        .value=${live(this.query)}
        @input=${this.onInput}
        @keydown=${this.onKeydown}
      />
      <ul id="listbox" part="listbox" role="listbox" aria-label="${this.label} results" ?hidden=${!open}>
        ${items.map((item, i) => this.renderOption(item, i))}
      </ul>
      ${this.results.render({
        pending: () => html`<p class="state">Searching…</p>`,
        complete: (r) => (r && r.items.length === 0 ? html`<p class="state">No values match “${this.query}”.</p>` : nothing),
        error: (e) => html`<p class="state error" role="alert">
          ${e instanceof Error ? e.message : 'The search failed.'}
          <button @click=${() => this.results.run()}>Try again</button>
        </p>`,
      })}
      <div class="visually-hidden" role="status" aria-live="polite">
        ${this.results.value ? (total === 1 ? '1 result' : `${total} results`) : ''}
      </div>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'leu-search': LeuSearchElement;
  }
}
