// <leu-picker>: the picker on any page: a field's search or wizard from the connector's embed API, reporting the
// user's choice as an event instead of writing to Concur.
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { localized, msg, str } from '@lit/localize';
import { Task } from '@lit/task';
import { createEmbedClient, type EmbedClient } from '../api/embed.ts';
import type { CatalogItem, EmbedField, Flow } from '../contract/api.ts';
import {
  PickerChooseEvent,
  PopupCloseEvent,
  type PickerChoice,
  type ValueSelectEvent,
  type WizardSubmitEvent,
} from './events.ts';
import { intlLocale, pickLocale, setLocale } from '../i18n/locale.ts';
import { failureAlert } from './failure.ts';
import { chosenLine, chosenStyles } from './chosen.ts';
import { SEARCH_EXPORTPARTS, WIZARD_EXPORTPARTS } from './parts.ts';
import { theme } from './theme.ts';
import { LeuSearchElement } from './leu-search.ts';
import { LeuWizardElement } from './leu-wizard.ts';

/**
 * A field's picker for pages outside Concur (an intranet, a procurement portal). It reads the field (its title
 * and, for a wizard, its steps) and searches through the connector's embed API at `source`; on Done it fires
 * `leu-choose` with the values for each field. It writes nothing: the page decides what the choice is for.
 *
 * @fires {PickerChooseEvent} leu-choose - Done, with `choice` ({ field, writes, item?, answers? }). Cancelable:
 *   preventDefault() refuses the choice and keeps the picker as it is.
 * @fires {PopupCloseEvent} leu-close - The user pressed Cancel (reason "cancelled").
 * @csspart title - The field's title.
 * @csspart done - The Done button (a wizard's Done too).
 * @csspart cancel - The Cancel button.
 * @csspart label - The search box's or a wizard step's label.
 * @csspart input - The search box or a wizard step's input.
 * @csspart listbox - The list of results.
 * @csspart option - One result, or one choice of a wizard step.
 * @csspart match - The matched characters of a result.
 * @csspart error - Why an answer is refused.
 * @csspart progress - A wizard's "Step 2 of 4" line.
 * @csspart step - A wizard's current step.
 * @csspart back - A wizard's Back button.
 * @csspart next - A wizard's Next button.
 * @cssprop --leu-accent - Accent colour of primary buttons and the active result.
 * @cssprop --leu-on-accent - Text on the accent colour.
 * @cssprop --leu-text - Text colour.
 * @cssprop --leu-muted - Secondary text.
 * @cssprop --leu-surface - Background.
 * @cssprop --leu-field - Input background.
 * @cssprop --leu-border - Input and button borders.
 * @cssprop --leu-divider - Lines between items.
 * @cssprop --leu-danger - Errors.
 * @cssprop --leu-focus - Focus ring.
 * @cssprop --leu-radius - Corner radius.
 * @cssprop --leu-font - Font family.
 * @cssprop --leu-target-size - Minimum height of buttons and inputs.
 */
@localized()
@customElement('leu-picker')
export class LeuPickerElement extends LitElement {
  /** The elements this one renders: referring to them keeps them (and their tags) in a tree-shaken bundle. */
  static readonly dependencies = [LeuSearchElement, LeuWizardElement];

  static override styles = [
    theme,
    chosenStyles,
    css`
      :host {
        display: flex;
        flex-direction: column;
        gap: 0.5rem;
        box-sizing: border-box;
        min-height: 18rem;
        font-size: 0.9375rem;
        line-height: 1.4;
      }
      .title {
        font-weight: 700;
        font-size: 1.0625rem;
        margin: 0;
      }
      leu-search,
      leu-wizard {
        flex: 1;
        min-height: 0;
      }
      .status {
        margin: 0;
        overflow-wrap: anywhere;
      }
      footer {
        display: flex;
        justify-content: flex-end;
        gap: 0.5rem;
        flex-wrap: wrap;
      }
      :host([mobile]) footer button {
        flex: 1 1 auto;
      }
    `,
  ];

  /** The field's address on the connector, e.g. https://connector.example.com/embed/v1/fields/custom12. */
  @property() source = '';
  /** The user's language (de, de-AT, de_AT...); the page's language when not set. */
  @property() language = '';
  /** A wizard to run instead of the field's own (for hosts that configure it themselves). */
  @property({ attribute: false }) flow?: Flow;
  /** A touch-friendly layout with large targets. */
  @property({ type: Boolean, reflect: true }) mobile = false;

  @state() private chosen: CatalogItem | null = null;
  @state() private confirmed?: PickerChoice;

  #client?: EmbedClient;

  private get languageCode() {
    return this.language || document.documentElement.lang || navigator.language || 'en';
  }

  private readonly field = new Task(this, {
    task: async ([source, language, flow], { signal }): Promise<EmbedField | undefined> => {
      if (!source) return undefined;
      this.#client = createEmbedClient(source, language);
      await setLocale(pickLocale(language));
      if (flow) return { field: source.split('/').pop() ?? '', title: flow.title, languageCode: language, flow };
      return this.#client.field(signal);
    },
    args: () => [this.source, this.languageCode, this.flow] as const,
  });

  private choose(choice: PickerChoice) {
    const event = new PickerChooseEvent(choice);
    this.dispatchEvent(event);
    if (!event.defaultPrevented) this.confirmed = choice;
  }

  private onDone(f: EmbedField) {
    if (!this.chosen) return;
    this.choose({ field: f.field, writes: [{ field: f.field, value: this.chosen.code }], item: this.chosen });
  }

  private cancel() {
    this.dispatchEvent(new PopupCloseEvent('cancelled'));
  }

  private renderBody(f: EmbedField) {
    const cancel = html`<button part="cancel" slot="secondary" @click=${() => this.cancel()}>${msg('Cancel')}</button>`;
    const done = this.confirmed
      ? html`<p class="status" role="status">
          ${msg(str`Chosen: ${this.confirmed.writes.map((w) => w.value).join(', ')}`)}
        </p>`
      : nothing;
    if (f.flow) {
      return html`<p class="title" part="title">${f.title}</p>
        <leu-wizard
          exportparts=${WIZARD_EXPORTPARTS}
          .flow=${f.flow}
          .api=${this.#client}
          .locale=${intlLocale(f.languageCode)}
          ?mobile=${this.mobile}
          @leu-submit=${(e: WizardSubmitEvent) => this.choose({ field: f.field, writes: e.writes, answers: e.answers })}
          >${cancel}</leu-wizard
        >
        ${done}`;
    }
    return html`<p class="title" part="title">${msg('Choose a value')}</p>
      <leu-search
        exportparts=${SEARCH_EXPORTPARTS}
        label=${msg('Search values')}
        .search=${this.#client!.search}
        .chosen=${this.chosen}
        @leu-select=${(e: ValueSelectEvent) => {
          this.chosen = e.item;
          this.confirmed = undefined;
        }}
      ></leu-search>
      ${chosenLine(this.chosen)} ${done}
      <footer>
        ${cancel}<button part="done" class="primary" ?disabled=${!this.chosen} @click=${() => this.onDone(f)}>
          ${msg('Done')}
        </button>
      </footer>`;
  }

  override render() {
    return this.field.render({
      initial: () => nothing,
      pending: () => html`<p class="status" role="status">${msg('Loading…')}</p>`,
      complete: (f) => (f ? this.renderBody(f) : nothing),
      error: (e) => failureAlert(e, () => void this.field.run()),
    });
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'leu-picker': LeuPickerElement;
  }
}
