// <leu-search>: a search box with a list of matching values, following the WAI-ARIA combobox pattern.
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import { live } from 'lit/directives/live.js';
import { ref } from 'lit/directives/ref.js';
import { TaskStatus } from '@lit/task';
import type { LitVirtualizer } from '@lit-labs/virtualizer';
import type { RangeChangedEvent } from '@lit-labs/virtualizer/events.js';
import type { CatalogItem, SearchItem } from '../contract/api.ts';
import { ValueSelectEvent } from './events.ts';
import { optionStyles, searchOption } from './search-option.ts';
import { localized, msg, str } from '@lit/localize';
import { failureText } from '../i18n/messages.ts';
import { theme } from './theme.ts';
import { VirtualizerLoader } from './virtualizer.ts';
import { SearchController, type SearchFunction } from './search-controller.ts';

export type { SearchFunction };

/**
 * The virtualizer sets an inline min-height of 150px unless one is set; ours lets the list shrink to what a small
 * popup has left. It is set through the CSSOM before the virtualizer connects: a style attribute (what styleMap
 * writes on first render) is blocked by the strict CSP.
 */
const shrinkable = (el: Element | undefined) => {
  if (el instanceof HTMLElement && !el.style.minHeight) el.style.minHeight = '2.75rem';
};

/**
 * A combobox: the input and its listbox share one shadow root, so `aria-activedescendant` can point into the
 * list. Typing searches after a short pause and aborts the superseded request; arrow keys move through the
 * results, Enter or a click picks one (Enter typed ahead of the results picks the best match once they come). Long
 * result lists are virtualized and load page by page; with nothing typed, the user's recent picks come first.
 * Inactive values are listed greyed, with their reason.
 *
 * @fires {ValueSelectEvent} leu-select - the user picked a value.
 * @csspart label - The visible label.
 * @csspart input - The search input.
 * @csspart listbox - The list of results.
 * @csspart option - One result.
 * @csspart match - The matched characters of a result.
 * @csspart error - Why the current choice is refused (set through `error`).
 * @cssprop --leu-accent - Colour of the active option's marker and focus ring.
 * @cssprop --leu-list-max-height - Height of the result list before it scrolls.
 */
@localized()
@customElement('leu-search')
export class LeuSearchElement extends LitElement {
  static override styles = [
    theme,
    css`
      :host {
        display: flex;
        flex-direction: column;
        gap: 0.25rem;
        min-height: 0;
      }
      label {
        font-weight: 600;
      }
      input {
        inline-size: 100%;
      }
      #listbox {
        border: 1px solid var(--_divider);
        border-radius: var(--_radius);
        height: var(--leu-list-max-height, 14rem);
        flex: 1 1 auto;
      }
      div#listbox {
        display: block;
        overflow: auto;
        min-height: 2.75rem;
      }
      .state {
        margin: 0;
        padding-block: 0.25rem;
        color: var(--_muted);
      }
      .state.error {
        color: var(--_danger);
      }
      .help {
        margin: 0;
        color: var(--_muted);
        font-size: 0.875rem;
      }
      .level {
        display: flex;
        gap: 0.5rem;
        align-items: center;
        margin: 0;
        font-size: 0.875rem;
      }
      .level button {
        padding-inline: 0.5rem;
      }
    `,
    optionStyles,
  ];

  /** Runs a search; the element aborts its signal when a newer query supersedes it. */
  @property({ attribute: false }) search?: SearchFunction;
  /** The visible label of the search box; "Search" in the user's language when not set. */
  @property() label = '';
  /** A sentence under the box saying what to look for. */
  @property() help = '';
  /** Why the current choice is refused (a wizard's check); tied to the box with aria-describedby. */
  @property() error = '';
  /** The value currently chosen, marked in the list. */
  @property({ attribute: false }) chosen: CatalogItem | null = null;
  /** Milliseconds to wait after a keystroke before searching. */
  @property({ type: Number }) debounce = 150;

  @state() private active = -1;
  @query('lit-virtualizer') private list?: LitVirtualizer;

  /** Results are a plain list until the virtualizer has loaded; a failed load is tried again with the next results. */
  readonly #virtualizer = new VirtualizerLoader(this);
  /** Whether the last render went through the virtualizer. */
  #virtualized = false;
  #pickWhenReady = false;

  /** The query, its pages of results and the connected-list levels. */
  private readonly results = new SearchController(this, () => {
    // With a query typed, the best match is active so Enter picks it.
    const { query, items } = this.results;
    this.active = query && items.length ? 0 : -1;
    if (this.#pickWhenReady && items[0]) this.pick(items[0]);
    this.#pickWhenReady = false;
    this.#virtualizer.load();
  });

  /** Puts the keyboard focus in the search box. */
  override focus(options?: FocusOptions) {
    const input = this.renderRoot.querySelector('input');
    if (input) input.focus(options);
    else void this.updateComplete.then(() => this.renderRoot.querySelector('input')?.focus(options));
  }

  private onInput(e: InputEvent) {
    this.results.setQuery((e.target as HTMLInputElement).value);
    this.active = -1;
    this.#pickWhenReady = false;
  }

  /** The plain list's stand-in for the virtualizer's rangeChanged: near the end, the next page. */
  private onListScroll(e: Event) {
    const list = e.currentTarget as HTMLElement;
    if (list.scrollTop + 2 * list.clientHeight >= list.scrollHeight) void this.results.loadMore();
  }

  private move(to: number) {
    const count = this.results.items.length;
    if (!count) return;
    this.active = ((to % count) + count) % count;
    if (this.active >= count - 5) void this.results.loadMore();
  }

  private onKeydown(e: KeyboardEvent) {
    switch (e.key) {
      case 'ArrowDown':
        this.move(this.active + 1);
        break;
      case 'ArrowUp':
        this.move(this.active <= 0 ? this.results.items.length - 1 : this.active - 1);
        break;
      case 'PageDown':
        this.move(Math.min(this.active + 10, this.results.items.length - 1));
        break;
      case 'PageUp':
        this.move(Math.max(this.active - 10, 0));
        break;
      case 'Enter': {
        const item = this.results.items[this.active];
        if (item) this.pick(item);
        // Typed ahead of the results (or of the search itself, which a popup sets once its context is loaded).
        else if (this.results.query && (this.results.status === TaskStatus.PENDING || !this.search))
          this.#pickWhenReady = true;
        else return;
        break;
      }
      case 'Escape':
        if (!this.results.query) return;
        this.results.setQuery('');
        this.active = -1;
        break;
      case 'Backspace':
        if (this.results.query || !this.results.parents.length) return;
        this.up();
        break;
      default:
        return;
    }
    e.preventDefault();
  }

  private pick(item: SearchItem) {
    if (item.inactive) return;
    if (item.hasChildren) {
      // A connected list's item with a next level: open that level.
      this.results.open(item);
      this.active = -1;
      this.focus();
      return;
    }
    const { highlight: _h, inactive: _i, hasChildren: _c, ...value } = item;
    this.dispatchEvent(new ValueSelectEvent(value));
  }

  /** Back up one connected-list level. */
  private up() {
    this.results.up();
    this.active = -1;
    this.focus();
  }

  protected override updated(changed: Map<string, unknown>) {
    // The virtualizer took the plain list's place: it starts at the top, so once it has laid out, bring the active
    // option back into view.
    if (this.#virtualizer.loaded && !this.#virtualized && this.active >= 0) {
      const list = this.list;
      void list?.updateComplete
        .then(() => list.layoutComplete)
        .then(
          () => list.element(this.active)?.scrollIntoView({ block: 'nearest' }),
          () => undefined,
        );
    }
    this.#virtualized = this.#virtualizer.loaded;
    // Keep the active option rendered and visible while the keyboard moves through a long list.
    if (!changed.has('active') || this.active < 0) return;
    // Through the virtualizer when it is there (it renders the option first), else the plain list's own.
    (this.list?.element(this.active) ?? this.renderRoot.querySelector(`#option-${this.active}`))?.scrollIntoView({
      block: 'nearest',
    });
  }

  /** A new function per render, so the virtualized list re-renders when the active or chosen option changes. */
  private renderOption(item: SearchItem | undefined, index: number) {
    // While a shorter result list replaces a longer one, the virtualizer may still ask for a vanished index.
    if (!item) return nothing;
    return searchOption(item, {
      index,
      setSize: this.results.setSize,
      active: index === this.active,
      recent: index < this.results.recentCount,
      chosen: this.chosen?.code === item.code,
      onPick: () => this.pick(item),
      onPoint: () => {
        if (this.active !== index) this.active = index;
      },
    });
  }

  /** The results: a plain list until the virtualizer has loaded, then through it. */
  private renderList(label: string, open: boolean) {
    const busy = this.results.status === TaskStatus.PENDING ? 'true' : 'false';
    if (!this.#virtualizer.loaded) {
      return html`<div
        id="listbox"
        part="listbox"
        role="listbox"
        aria-label=${label}
        ?hidden=${!open}
        aria-busy=${busy}
        @scroll=${(e: Event) => this.onListScroll(e)}
      >
        ${this.results.items.map((item, i) => this.renderOption(item, i))}
      </div>`;
    }
    return html`<lit-virtualizer
      id="listbox"
      part="listbox"
      role="listbox"
      aria-label=${label}
      scroller
      ?hidden=${!open}
      aria-busy=${busy}
      ${ref(shrinkable)}
      .items=${this.results.items}
      .renderItem=${(item: SearchItem | undefined, i: number) => this.renderOption(item, i)}
      @rangeChanged=${(e: RangeChangedEvent) => {
        if (e.last >= this.results.items.length - 5) void this.results.loadMore();
      }}
    ></lit-virtualizer>`;
  }

  override render() {
    const { items, query, parents, total } = this.results;
    const open = items.length > 0;
    const activeId = this.active >= 0 && this.active < items.length ? `option-${this.active}` : undefined;
    const label = this.label || msg('Search');
    const describedBy = [this.help ? 'help' : '', this.error ? 'error' : ''].filter(Boolean).join(' ');
    return html`
      <label id="label" part="label" for="input">${label}</label>
      <input
        id="input"
        part="input"
        type="text"
        role="combobox"
        aria-labelledby="label"
        autocomplete="off"
        spellcheck="false"
        aria-autocomplete="list"
        aria-controls="listbox"
        aria-expanded=${open ? 'true' : 'false'}
        aria-activedescendant=${activeId ?? nothing}
        .value=${live(query)}
        aria-describedby=${describedBy || nothing}
        aria-invalid=${this.error ? 'true' : 'false'}
        @input=${(e: InputEvent) => this.onInput(e)}
        @keydown=${(e: KeyboardEvent) => this.onKeydown(e)}
      />
      ${this.help ? html`<p id="help" class="help">${this.help}</p>` : nothing}
      ${this.error ? html`<p id="error" class="problem" part="error" role="alert">${this.error}</p>` : nothing}
      ${
        parents.length
          ? html`<p class="level">
              <button type="button" @click=${() => this.up()}>${msg('Back to the previous level')}</button>
              <span>${parents.map((p) => p.label).join(' › ')}</span>
            </p>`
          : nothing
      }
      ${this.renderList(msg(str`${label}: results`), open)}
      ${this.results.render({
        pending: () => html`<p class="state">${msg('Searching…')}</p>`,
        complete: (r) =>
          r && items.length === 0 ? html`<p class="state">${msg(str`No values match “${query}”.`)}</p>` : nothing,
        error: (e) =>
          html`<p class="state error" role="alert">
            ${failureText(e).message}
            ${failureText(e).detail ? html`<span lang="en">${failureText(e).detail}</span>` : nothing}
            <button @click=${() => this.results.retry()}>${msg('Try again')}</button>
          </p>`,
      })}
      <div class="visually-hidden" role="status" aria-live="polite">
        ${this.results.value ? (total === 1 ? msg('1 result') : msg(str`${total} results`)) : ''}
      </div>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'leu-search': LeuSearchElement;
  }
}
