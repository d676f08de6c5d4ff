// <sim-list-field>: the sandbox's stand-in for one of Concur's own list fields that the Fetch List callout fills (a
// connected list: one box per level, each searching below the items picked above it).
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { Task } from '@lit/task';
import ky from 'ky';

/** One item of Concur's answer, as Concur reads it from the <fetch-list-response>. */
export interface ListItem {
  code: string;
  shortCode: string;
  text: string;
}

/** Reads a <fetch-list-response>; a refusal (<error>) throws with its message, as Concur would show it. */
export function readListResponse(xml: string): ListItem[] {
  const doc = new DOMParser().parseFromString(xml, 'application/xml');
  const text = (el: Element, name: string) => el.querySelector(name)?.textContent ?? '';
  const error = doc.querySelector('error');
  if (error || doc.querySelector('parsererror')) throw new Error(error ? text(error, 'message') : 'unreadable answer');
  return [...doc.querySelectorAll('fetch-list-response > item')].map((item) => ({
    code: text(item, 'code'),
    shortCode: text(item, 'short-code'),
    text: text(item, 'text'),
  }));
}

/**
 * A connected list field as Concur's expense form shows it: typing in a level's box asks the connector's Fetch List
 * endpoint (through the sandbox's /sandbox/fetch-list, which holds the connector's password) for that level's items
 * below the ones picked above; arrow keys and Enter, or a click, pick one. Search by text, or by code.
 *
 * @csspart combobox - A level's box.
 * @csspart listbox - The items found for it.
 */
@customElement('sim-list-field')
export class SimListFieldElement extends LitElement {
  static override styles = css`
    :host {
      display: grid;
      gap: 0.375rem;
    }
    .level {
      position: relative;
      display: grid;
      grid-template-columns: 4rem 1fr;
      align-items: center;
      gap: 0.5rem;
    }
    input,
    select {
      font: inherit;
      padding: 0.25rem 0.5rem;
    }
    ul {
      list-style: none;
      margin: 0;
      padding: 0;
      grid-column: 2;
      border: 1px solid #6b7280;
      border-radius: 4px;
      max-height: 12rem;
      overflow: auto;
    }
    li {
      padding: 0.25rem 0.5rem;
      cursor: pointer;
    }
    li[aria-selected='true'] {
      background: #0b5cad;
      color: #fff;
    }
    .note {
      font-size: 0.875rem;
    }
  `;

  /** The list's name in Concur, as the request's list-name. */
  @property() list = '';
  /** Each level's label, level 1 first. */
  @property({ type: Array }) levels: string[] = [];
  /** What the field belongs to, for the boxes' accessible names ("Taxi"). */
  @property() context = '';

  /** The item picked at each level so far. */
  @state() private picked: ListItem[] = [];
  /** The level being typed in, and what is typed there. */
  @state() private typing?: { level: number; query: string };
  @state() private active = 0;
  @state() private searchBy: 'TEXT' | 'CODE' = 'TEXT';

  private readonly found = new Task(this, {
    autoRun: false,
    task: async ([list, parents, query, searchBy]: [string, string[], string, string], { signal }) =>
      readListResponse(
        await ky
          .post('/sandbox/fetch-list', {
            // What Concur's list control sends for what is typed: a prefix, or everything.
            json: { list, parents, query: `${query.trim()}*`, searchBy },
            signal,
            retry: 0,
            throwHttpErrors: false,
          })
          .text(),
      ),
  });

  private search(level: number, query: string) {
    this.typing = { level, query };
    this.active = 0;
    this.picked = this.picked.slice(0, level);
    void this.found.run([this.list, this.picked.map((p) => p.shortCode), query, this.searchBy]);
  }

  private pick(level: number, item: ListItem) {
    this.picked = [...this.picked.slice(0, level), item];
    this.typing = undefined;
  }

  private onKey(level: number, ev: KeyboardEvent) {
    const items = this.found.value ?? [];
    if (ev.key === 'ArrowDown' || ev.key === 'ArrowUp') {
      ev.preventDefault();
      const step = ev.key === 'ArrowDown' ? 1 : -1;
      this.active = Math.max(0, Math.min(items.length - 1, this.active + step));
    } else if (ev.key === 'Enter' && items[this.active]) {
      ev.preventDefault();
      this.pick(level, items[this.active]!);
    } else if (ev.key === 'Escape') {
      this.typing = undefined;
    }
  }

  private renderList(level: number, id: string) {
    return this.found.render({
      pending: () => html`<p class="note" role="status">Searching…</p>`,
      complete: (items) =>
        items.length
          ? html`<ul id=${id} role="listbox" aria-label="${this.levels[level]} items" part="listbox">
              ${items.map(
                (item, i) =>
                  // eslint-disable-next-line lit-a11y/click-events-have-key-events -- the keys are the input's
                  html`<li
                    id="${id}-${i}"
                    role="option"
                    aria-selected=${String(i === this.active)}
                    @mousedown=${(ev: Event) => ev.preventDefault()}
                    @click=${() => this.pick(level, item)}
                  >
                    (${item.shortCode}) ${item.text}
                  </li>`,
              )}
            </ul>`
          : html`<p class="note" role="status">No match.</p>`,
      error: (e) => html`<p class="note" role="alert">Concur shows: ${(e as Error).message}</p>`,
    });
  }

  private renderLevel(label: string, level: number) {
    const id = `level-${level}`;
    const open = this.typing?.level === level;
    const chosen = this.picked[level];
    const value = open ? this.typing!.query : chosen ? `(${chosen.shortCode}) ${chosen.text}` : '';
    return html`<div class="level">
      <label for=${id}>${label}</label>
      <input
        id=${id}
        part="combobox"
        role="combobox"
        autocomplete="off"
        aria-label="${label} from the Concur list, ${this.context}"
        aria-autocomplete="list"
        aria-expanded=${String(open)}
        aria-controls="${id}-list"
        aria-activedescendant=${open && this.found.value?.length ? `${id}-list-${this.active}` : nothing}
        ?disabled=${level > this.picked.length}
        .value=${value}
        @input=${(ev: Event) => this.search(level, (ev.target as HTMLInputElement).value)}
        @keydown=${(ev: KeyboardEvent) => this.onKey(level, ev)}
        @blur=${() => (this.typing = undefined)}
      />
      ${open ? this.renderList(level, `${id}-list`) : nothing}
    </div>`;
  }

  override render() {
    const chosen = this.picked.length === this.levels.length ? this.picked.at(-1) : undefined;
    return html`${this.levels.map((label, level) => this.renderLevel(label, level))}
      <label class="note"
        >Search by
        <select
          @change=${(ev: Event) => {
            this.searchBy = (ev.target as HTMLSelectElement).value as 'TEXT' | 'CODE';
          }}
        >
          <option value="TEXT">text</option>
          <option value="CODE">code</option>
        </select></label
      >
      <output class="note">${chosen ? `Saved with the expense as ${chosen.code}` : ''}</output>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'sim-list-field': SimListFieldElement;
  }
}
