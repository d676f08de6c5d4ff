// <sim-request-list>: the sandbox's stand-in for Concur Request's travel-request forms, with Launch URL fields and
// their buttons on each request's header, its expected expenses and their allocations.
import { css, html, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { Task } from '@lit/task';
import ky from 'ky';
import { SANDBOX_REQUEST_FIELDS } from '../request-state.ts';
import { SimConcurForm, simFormStyles } from './sim-shared.ts';

/** Request v4 custom fields: { value } under their ids (custom5), beside the item's own attributes. */
type Custom = Record<string, unknown>;
interface Allocation extends Custom {
  id: string;
  percentage: number;
}
interface ExpectedExpense extends Custom {
  id: string;
  expenseType: { name: string };
  transactionDate: string;
  transactionAmount: { value: number; currency: string };
  allocations: Allocation[];
}
interface TravelRequest extends Custom {
  id: string;
  requestId: string;
  name: string;
  startDate: string;
  endDate: string;
  approvalStatus: { name: string };
  expenses: ExpectedExpense[];
}

type Launch =
  | { source: 'HEADER'; request: string }
  | { source: 'ENTRY'; expense: string }
  | {
      source: 'ALLOCATION';
      allocation: string;
    };

/** A field's value, and whether the item's form has the field at all. */
const valueOf = (item: Custom, id: string) => (item[id] as { value?: string | null } | undefined)?.value ?? '';
const has = (item: Custom, id: string) => Object.hasOwn(item, id);
const money = (m: { value: number; currency: string }) =>
  new Intl.NumberFormat(undefined, { style: 'currency', currency: m.currency }).format(m.value);

/**
 * Shows the sandbox's travel requests as Concur Request's forms would, each Launch URL field read-only with a
 * button that opens the connector's popup as Concur Request does (its own launch path and owner names). When the
 * popup closes, the forms are read again.
 */
@customElement('sim-request-list')
export class SimRequestListElement extends SimConcurForm {
  static override styles = css`
    ${simFormStyles}
    section {
      border: 1px solid #c7cdd4;
      border-radius: 6px;
      padding: 1rem;
      margin-block: 1rem;
    }
    .expense {
      border-block-start: 1px solid #e5e7eb;
      padding-block: 0.5rem;
    }
    dd {
      margin: 0;
      display: flex;
      gap: 0.25rem;
    }
    input {
      font: inherit;
      flex: 1;
      background: #f3f4f6;
      color: #111;
    }
  `;

  @state() private actor: 'owner' | 'delegate' = 'owner';

  private readonly requests = new Task(this, {
    task: async ([base], { signal }) =>
      ky.get(`${base}/sandbox-ui/requests`, { signal, retry: 0 }).json<TravelRequest[]>(),
    args: () => [this.concurBase] as const,
  });

  /** Concur Request opens the popup and watches it; when it closes, the form reloads. */
  private launch(target: Launch, field: string) {
    const { source, ...ids } = target;
    const url = `/sandbox/request-launch?${new URLSearchParams({ source, ...ids, field, as: this.actor }).toString()}`;
    this.openPopup(url, () => void this.requests.run());
  }

  private renderField(label: string, context: string, item: Custom, target: Launch, field: string) {
    const id = `field-${Object.values(target).join('-')}-${field}`;
    return html`<dt><label for=${id}>${label}</label></dt>
      <dd>
        <input id=${id} readonly .value=${valueOf(item, field)} aria-label="${label}, ${context}" />
        <button @click=${() => this.launch(target, field)} aria-label="Choose ${label} for ${context}">…</button>
      </dd>`;
  }

  private renderExpense(e: ExpectedExpense) {
    const context = e.expenseType.name;
    const target = { source: 'ENTRY', expense: e.id } as const;
    const { ENTRY, ALLOCATION } = SANDBOX_REQUEST_FIELDS;
    return html`<div class="expense">
      <dl>
        <dt>Expected expense</dt>
        <dd>${e.expenseType.name} · ${money(e.transactionAmount)} · ${e.transactionDate}</dd>
        ${has(e, ENTRY.id) ? this.renderField(ENTRY.label, context, e, target, ENTRY.id) : nothing}
        ${(this.flows.value ?? [])
          .filter((f) => has(e, f.id))
          .map(
            (f) =>
              html`${this.renderField(f.label, context, e, target, f.id)}
              ${f.writes
                .filter((w) => w.field !== f.id && has(e, w.field))
                .map(
                  (w) =>
                    html`<dt>${w.label}</dt>
                      <dd data-field=${w.field}>${valueOf(e, w.field) || '—'}</dd>`,
                )}`,
          )}
        ${e.allocations.map(
          (a) =>
            html`<dt>Allocation</dt>
              <dd>${a.percentage} %</dd>
              ${this.renderField(
                ALLOCATION.label,
                `allocation ${a.percentage} %`,
                a,
                { source: 'ALLOCATION', allocation: a.id },
                ALLOCATION.id,
              )}`,
        )}
      </dl>
    </div>`;
  }

  private renderRequest(r: TravelRequest) {
    const { HEADER } = SANDBOX_REQUEST_FIELDS;
    return html`<section aria-label="Travel request ${r.name}">
      <h2>${r.name} (${r.requestId})</h2>
      <p>${r.approvalStatus.name} · ${r.startDate} – ${r.endDate}</p>
      <dl>${this.renderField(HEADER.label, `request ${r.name}`, r, { source: 'HEADER', request: r.id }, HEADER.id)}</dl>
      ${r.expenses.map((e) => this.renderExpense(e))}
    </section>`;
  }

  override render() {
    return html`
      <p>Concur sandbox: simulated Concur Request travel requests. Nothing here reaches a real Concur.</p>
      <h1>Travel requests of Jane Traveller</h1>
      <label
        >Logged in as
        <select
          @change=${(ev: Event) => {
            this.actor = (ev.target as HTMLSelectElement).value as 'owner' | 'delegate';
          }}
        >
          <option value="owner">Jane Traveller (owner)</option>
          <option value="delegate">Dan Delegate (delegate)</option>
        </select>
      </label>
      ${this.renderWaiting()}
      ${this.requests.render({
        pending: () =>
          this.requests.value ? this.requests.value.map((r) => this.renderRequest(r)) : html`<p>Loading…</p>`,
        complete: (list) => list.map((r) => this.renderRequest(r)),
        error: () =>
          html`<p role="alert">
            The sandbox did not answer. <button @click=${() => this.requests.run()}>Retry</button>
          </p>`,
      })}
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'sim-request-list': SimRequestListElement;
  }
}
