// <leu-popup>: the whole popup: what the user is editing, a search or a wizard, and the write to Concur.
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { localized, msg, str } from '@lit/localize';
import { Task, TaskStatus } from '@lit/task';
import type { ApiClient } from '../api/client.ts';
import type { CatalogItem, SessionContext } from '../contract/api.ts';
import { PopupCloseEvent, type ValueSelectEvent, type WizardSubmitEvent } from './events.ts';
import { intlLocale, pickLocale, setLocale, textDirection } from '../i18n/locale.ts';
import { failureAlert } from './failure.ts';
import { chosenLine, chosenStyles } from './chosen.ts';
import { SEARCH_EXPORTPARTS, WIZARD_EXPORTPARTS } from './parts.ts';
import { formatDate, formatDateRange, formatMoney, formatPercent } from '../i18n/format.ts';
import { theme } from './theme.ts';
import { LeuSearchElement } from './leu-search.ts';
import type { SearchFunction } from './leu-search.ts';

/**
 * The popup Concur opens. Loads the session's context, speaks the user's language, lets the user pick a value
 * (or answer the field's wizard), and on Done asks the server to write; the close event fires only after Concur
 * has confirmed the write.
 *
 * @fires {PopupCloseEvent} leu-close - after a confirmed write or on Cancel; cancel it to keep the window open.
 * @csspart header - What the user is working on.
 * @csspart done - The Done button.
 * @csspart cancel - The Cancel button.
 * @csspart alert - A failure, with its reference and Retry.
 * @csspart progress - (wizard) The "Step 2 of 4" line; also step, back, next.
 * @csspart input - The search box or a wizard step's input; also label, listbox, option, match, error.
 * @cssprop --leu-accent - Accent colour of primary buttons and the active result (see theme.ts for all).
 */
@localized()
@customElement('leu-popup')
export class LeuPopupElement extends LitElement {
  /**
   * The elements this one renders: referring to them keeps them (and their tags) in a tree-shaken bundle. The
   * wizard is loaded only for a field that has one, so a single search's first screen does not carry it.
   */
  static readonly dependencies = [LeuSearchElement];

  static override styles = [
    theme,
    chosenStyles,
    css`
      :host {
        display: flex;
        flex-direction: column;
        gap: 0.5rem;
        box-sizing: border-box;
        height: 100%;
        min-height: 0;
        padding-block: 0.625rem;
        padding-inline: 0.875rem;
        font-size: 0.9375rem;
        line-height: 1.4;
        background: var(--_surface);
      }
      /* The header's usual height (the heading and three lines) is kept while the context loads, so nothing below
         it moves when the context comes. */
      header {
        display: flex;
        flex-direction: column;
        gap: 0.125rem;
        min-height: 5.625rem;
      }
      h1 {
        font-size: 1.0625rem;
        margin: 0;
      }
      header p {
        margin: 0;
      }
      .item {
        color: var(--_muted);
        font-size: 0.875rem;
      }
      .owner {
        font-weight: 600;
        font-size: 0.875rem;
      }
      .blocked {
        font-weight: 600;
        border-inline-start: 0.25rem solid currentColor;
        padding-inline-start: 0.5rem;
      }
      leu-search,
      leu-wizard {
        flex: 1;
        min-height: 0;
      }
      footer {
        display: flex;
        justify-content: flex-end;
        gap: 0.5rem;
        flex-wrap: wrap;
      }
      .saved {
        font-weight: 600;
        margin: 0;
      }
      .status {
        margin: 0;
      }
      /* Small and touch screens: one column, every control full width, nothing beside anything. */
      :host([mobile]) footer button {
        flex: 1 1 auto;
      }
      @media (max-width: 22.5rem) {
        :host {
          padding-inline: 0.625rem;
        }
        footer button {
          flex: 1 1 auto;
        }
      }
    `,
  ];

  /** The client for the companion server, bound to this popup's session. */
  @property({ attribute: false }) api?: ApiClient;
  /** Set from the launch's is_mobile: a touch-friendly layout with large targets. */
  @property({ type: Boolean, reflect: true }) mobile = false;
  /** The field has a wizard: while the context loads, say so rather than show a search box the wizard replaces. */
  @property({ attribute: false }) expectWizard = false;

  @state() private chosen: CatalogItem | null = null;
  @state() private saved = false;

  private readonly context = new Task(this, {
    task: async ([api], { signal }) => {
      if (!api) return undefined;
      const ctx = await api.context(signal);
      // Everything from here on speaks the user's language; the translation (and a wizard's element) load before
      // the first render of it.
      await Promise.all([setLocale(pickLocale(ctx.languageCode)), ctx.flow ? import('./leu-wizard.ts') : undefined]);
      return ctx;
    },
    args: () => [this.api] as const,
    onComplete: (ctx) => {
      if (!ctx) return;
      this.mobile ||= ctx.isMobile;
      if (ctx.currentItem && !this.chosen) this.chosen = ctx.currentItem;
      const locale = pickLocale(ctx.languageCode);
      this.lang = locale;
      this.dir = textDirection(locale);
    },
  });

  private readonly commit = new Task(this, {
    autoRun: false,
    task: async ([request]: readonly [{ code: string } | { answers: Record<string, string> }]) =>
      this.api!.commit(request),
    onComplete: (r) => {
      this.saved = true;
      this.close('committed', r.value);
    },
  });

  /** The search box or wizard last focused: each gets the focus once, when it appears, ready to type. */
  #focused?: Element;

  /** The heading once the context has loaded: the wizard's title, or "Choose a value". The page takes it as title. */
  get heading(): string | undefined {
    const ctx = this.context.value;
    return ctx && (ctx.flow?.title ?? msg('Choose a value'));
  }

  protected override updated() {
    const input = this.renderRoot.querySelector<HTMLElement>('leu-wizard, leu-search');
    if (!input || input === this.#focused) return;
    this.#focused = input;
    input.focus();
  }

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
    if (ctx?.currentValue === this.chosen.code) {
      this.saved = true;
      return this.close('committed', this.chosen.code);
    }
    void this.commit.run([{ code: this.chosen.code }]);
  }

  private onWizardSubmit(e: WizardSubmitEvent) {
    if (this.commit.status === TaskStatus.PENDING) return;
    void this.commit.run([{ answers: e.answers }]);
  }

  /** A travel request (Concur Request): its name and dates. */
  private describeRequest(
    name: string,
    start: string | null | undefined,
    end: string | null | undefined,
    locale: string,
  ) {
    return [msg(str`Request: ${name}`), formatDateRange(start, end, locale)].filter(Boolean).join(' · ');
  }

  /** One line on what the user is working on: the entry, the report, the allocation, or the travel request. */
  private describeItem(ctx: SessionContext): string {
    const locale = intlLocale(ctx.languageCode);
    const { item } = ctx;
    switch (item.kind) {
      case 'ENTRY':
        return [item.expenseType, formatMoney(item.amount, locale), formatDate(item.date, locale)]
          .filter(Boolean)
          .join(' · ');
      case 'HEADER':
        return [msg(str`Report: ${item.reportName}`), formatMoney(item.total, locale)].filter(Boolean).join(' · ');
      case 'ALLOCATION':
        return [
          msg('Allocation'),
          item.percentage === null ? '' : formatPercent(item.percentage, locale),
          formatMoney(item.amount, locale),
        ]
          .filter(Boolean)
          .join(' · ');
      case 'REQUEST':
        return this.describeRequest(item.requestName, item.startDate, item.endDate, locale);
    }
  }

  private renderHeader(ctx: SessionContext) {
    const { report } = ctx;
    const owner = report.ownerEmployeeId ? msg(str`employee ${report.ownerEmployeeId}`) : msg('another employee');
    // A Concur Request launch's item belongs to a travel request, which is named with its dates.
    const request = ctx.product === 'request';
    const parent = request
      ? this.describeRequest(report.name ?? '', report.startDate, report.endDate, intlLocale(ctx.languageCode))
      : msg(str`Report: ${report.name}`);
    return html`<header part="header">
      <h1>${this.heading}</h1>
      <p class="item">${this.describeItem(ctx)}</p>
      ${ctx.item.kind !== 'HEADER' && ctx.item.kind !== 'REQUEST' && report.name ? html`<p class="item">${parent}</p>` : nothing}
      ${
        report.onBehalfOfOwner
          ? html`<p class="owner">
              ${
                request
                  ? msg(str`You are working on the travel request of ${owner}, as a delegate.`)
                  : msg(str`You are working on the report of ${owner}, as a delegate.`)
              }
            </p>`
          : nothing
      }
      ${
        report.submitted
          ? html`<p class="owner">
              ${request ? msg('This travel request has been submitted.') : msg('This report has been submitted.')}
            </p>`
          : nothing
      }
      ${
        ctx.flow
          ? nothing
          : html`<p>
              ${msg('Current value:')}
              ${
                ctx.currentValue
                  ? html`<strong>${ctx.currentItem?.display ?? ctx.currentValue}</strong
                      >${ctx.currentItem ? ` ${ctx.currentItem.label}` : ''}`
                  : html`<em>${msg('none')}</em>`
              }
            </p>`
      }
    </header>`;
  }

  /** Saving, saved, or why the write failed, with Retry; a wizard is given the failure and says it itself. */
  private renderCommitState(alert: boolean) {
    if (this.saved) return html`<p class="saved" role="status">${msg('Saved. You can close this window.')}</p>`;
    return this.commit.render({
      pending: () => html`<p class="status" role="status">${msg('Saving to Concur…')}</p>`,
      error: (e) => (alert ? failureAlert(e, () => this.onDone()) : nothing),
    });
  }

  private renderCancel(saving: boolean) {
    return html`<button part="cancel" slot="secondary" ?disabled=${saving} @click=${() => this.close('cancelled')}>
      ${msg('Cancel')}
    </button>`;
  }

  private renderWizard(ctx: SessionContext, flow: NonNullable<SessionContext['flow']>) {
    const saving = this.commit.status === TaskStatus.PENDING;
    return html`${this.renderHeader(ctx)}
      <leu-wizard
        exportparts=${WIZARD_EXPORTPARTS}
        .flow=${flow}
        .answers=${ctx.prefill ?? {}}
        .fieldValues=${ctx.fieldValues ?? {}}
        .api=${this.api}
        .locale=${intlLocale(ctx.languageCode)}
        ?busy=${saving || this.saved}
        ?mobile=${this.mobile}
        .failure=${this.commit.status === TaskStatus.ERROR ? this.commit.error : undefined}
        @leu-submit=${(e: WizardSubmitEvent) => this.onWizardSubmit(e)}
      >
        ${this.renderCancel(saving)}
      </leu-wizard>
      ${this.renderCommitState(false)}`;
  }

  /**
   * A single search. The box shows (and takes the focus) while the context is still loading, and searches at once:
   * the launch has said the field has no wizard. The same box stays when the context arrives.
   */
  private renderSearch(ctx?: SessionContext) {
    const saving = this.commit.status === TaskStatus.PENDING;
    const chosen = this.chosen;
    return html`
      ${
        ctx
          ? this.renderHeader(ctx)
          : html`<header part="header">
              <h1>${msg('Choose a value')}</h1>
              <p class="status" role="status">${msg('Loading the expense from Concur…')}</p>
            </header>`
      }
      <leu-search
        exportparts=${SEARCH_EXPORTPARTS}
        label=${msg('Search values')}
        .search=${this.search}
        .chosen=${chosen}
        @leu-select=${(e: ValueSelectEvent) => this.onSelect(e)}
      ></leu-search>
      ${
        ctx
          ? html`${chosenLine(chosen)}
              ${
                this.tooLong(ctx, chosen?.code)
                  ? html`<p class="blocked" role="alert">
                      ${msg(str`This value is longer than the ${ctx.field.maxLength!} characters this field takes in Concur.`)}
                    </p>`
                  : nothing
              }
              ${this.renderCommitState(true)}
              <footer>
                ${this.renderCancel(saving)}
                <button
                  part="done"
                  class="primary"
                  ?disabled=${!chosen || saving || this.saved || this.tooLong(ctx, chosen.code)}
                  @click=${() => this.onDone()}
                >
                  ${msg('Done')}
                </button>
              </footer>`
          : nothing
      }
    `;
  }

  /** Nothing can be saved from here (paid report, locked field, app not connected): say so before any choice. */
  private renderBlocked(ctx: SessionContext, blocked: NonNullable<SessionContext['blocked']>) {
    const field = blocked.field ?? ctx.field.id;
    const reason =
      blocked.code === 'company_not_connected'
        ? msg(
            `This app is not connected to your company in Concur yet, so this field cannot be filled in here. Your Concur administrator must connect it (App Center, Connect).`,
          )
        : blocked.code === 'report_paid'
          ? msg('This report has been paid, and Concur no longer lets anything on it be changed.')
          : blocked.code === 'field_not_writable'
            ? msg(str`The field ${field} cannot be changed by you on this item in Concur.`)
            : blocked.message;
    return html`${this.renderHeader(ctx)}
      <p class="blocked" role="alert">${reason}</p>
      <footer>
        <button part="cancel" class="primary" @click=${() => this.close('cancelled')}>${msg('Close')}</button>
      </footer>`;
  }

  /** A value longer than the field takes (the form's maximum length) cannot be saved: said at once, not at Done. */
  private tooLong(ctx: SessionContext | undefined, code: string | undefined): boolean {
    return Boolean(code && ctx?.field.maxLength !== undefined && code.length > ctx.field.maxLength);
  }

  override render() {
    return this.context.render({
      initial: () => html`<p class="status" role="status">${msg('Loading…')}</p>`,
      pending: () =>
        this.expectWizard
          ? html`<p class="status" role="status">${msg('Loading the expense from Concur…')}</p>`
          : this.renderSearch(),
      complete: (ctx) =>
        !ctx
          ? nothing
          : ctx.blocked
            ? this.renderBlocked(ctx, ctx.blocked)
            : ctx.flow
              ? this.renderWizard(ctx, ctx.flow)
              : this.renderSearch(ctx),
      error: (e) => failureAlert(e, () => void this.context.run()),
    });
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'leu-popup': LeuPopupElement;
  }
}
