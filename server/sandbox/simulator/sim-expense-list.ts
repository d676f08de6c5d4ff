// <sim-expense-list>: the sandbox's stand-in for Concur's expense forms, with Launch URL fields and their buttons
// on report headers, expense entries and allocations.
import { css, html, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { Task } from '@lit/task';
import ky from 'ky';
import { SANDBOX_EXTRA_FIELDS, SANDBOX_FIELDS, SANDBOX_GLOBEX, SANDBOX_USER } from '../concur-state.ts';
import './sim-list-field.ts';
import { SimConcurForm, simFormStyles } from './sim-shared.ts';

interface Field {
  id: string;
  value: string | null;
}
interface Money {
  value: number;
  currencyCode: string;
}
interface Allocation {
  allocationId: string;
  percentage: number;
  allocationAmount: Money;
  customData: Field[];
}
interface Entry {
  expenseId: string;
  expenseType: { name: string };
  transactionAmount: Money;
  transactionDate: string;
  allocationState: string;
  customData: Field[];
  allocations: Allocation[];
}
interface Connection {
  companyId: string;
  connected: boolean;
  refreshedAt: number;
  refreshExpiresAt?: number;
  disconnected?: { reason: string };
}
interface AppCenter {
  connection: Connection | null;
  connectUrl: string;
}
interface Report {
  reportId: string;
  name: string;
  approvalStatusId: string;
  paymentStatusId?: string;
  reportTotal: Money;
  customData: Field[];
  expenses: Entry[];
}

type Launch =
  | { source: 'HEADER'; report: string }
  | { source: 'ENTRY'; expense: string; field?: string }
  | { source: 'ALLOCATION'; allocation: string };

const valueOf = (fields: Field[], id: string) => fields.find((f) => f.id === id)?.value ?? '';
const money = (m: Money) =>
  new Intl.NumberFormat(undefined, { style: 'currency', currency: m.currencyCode }).format(m.value);

/**
 * Shows the sandbox's reports as Concur's forms would, each Launch URL field read-only with a button that opens
 * the connector's popup exactly as Concur does. When the popup closes, the form is read again.
 */
@customElement('sim-expense-list')
export class SimExpenseListElement extends SimConcurForm {
  static override styles = css`
    ${simFormStyles}
    .banner {
      background: #fff7d6;
      color: #5c4400;
      border: 1px solid #e6c84f;
      border-radius: 4px;
      padding: 0.5rem 0.75rem;
    }
    h1 {
      font-size: 1.25rem;
      margin: 0 0 0.5rem;
    }
    h2 {
      font-size: 1.0625rem;
      margin: 0 0 0.5rem;
    }
    h3 {
      font-size: 0.9375rem;
      margin: 0.75rem 0 0.25rem;
    }
    .report {
      border: 1px solid #c7cdd4;
      border-radius: 6px;
      padding: 1rem;
      margin-block: 1rem;
    }
    .entry {
      border-block-start: 1px solid #e5e7eb;
      padding-block: 0.75rem;
    }
    .allocations {
      margin-inline-start: 1.5rem;
    }
    dl {
      align-items: center;
    }
    dd {
      margin: 0;
    }
    .field {
      display: flex;
      gap: 0.25rem;
    }
    .field input {
      font: inherit;
      flex: 1;
      padding: 0.375rem 0.5rem;
      border: 1px solid #6b7280;
      border-radius: 4px;
      background: #f3f4f6;
      color: #111;
    }
    button {
      font: inherit;
      padding: 0.375rem 0.75rem;
      border-radius: 4px;
      border: 1px solid #0b5cad;
      background: #0b5cad;
      color: #fff;
      cursor: pointer;
    }
    button.secondary {
      background: transparent;
      color: inherit;
      border-color: #6b7280;
    }
    .settings {
      display: flex;
      flex-wrap: wrap;
      gap: 0.75rem;
      font-size: 0.875rem;
      align-items: center;
    }
    .settings input {
      width: 5rem;
    }
    .status {
      font-size: 0.875rem;
      font-weight: 600;
    }
    dt.written {
      font-weight: 400;
      padding-inline-start: 1rem;
    }
    @media (prefers-color-scheme: dark) {
      .banner {
        background: #3d3200;
        color: #ffe58a;
      }
    }
  `;

  @state() private actor: 'owner' | 'delegate' | 'globex' = 'owner';
  /** The language_code and is_mobile Concur would send for this user and device. */
  @state() private language = '';
  @state() private mobile = false;

  private readonly reports = new Task(this, {
    task: async ([base, user], { signal }) =>
      ky.get(`${base}/sandbox-ui/reports`, { searchParams: { user }, signal, retry: 0 }).json<Report[]>(),
    // Gina works at Globex, the sandbox's second company: her reports, launched under Globex's registration.
    args: () => [this.concurBase, this.actor === 'globex' ? SANDBOX_GLOBEX.user.id : SANDBOX_USER.id] as const,
  });

  /** The App Center panel: the company connection as the connector holds it. */
  private readonly appCenter = new Task(this, {
    task: async (_, { signal }) => ky.get('/sandbox/app-center', { signal, retry: 0 }).json<AppCenter>(),
    args: () => [],
  });

  /** App Center's Disconnect, at Concur's side: the connector finds the connection revoked. */
  private async disconnectApp() {
    await ky.post('/sandbox/app-center/disconnect', { retry: 0 });
    void this.appCenter.run();
  }

  /** App Center's Connect: a new window on the connector's landing page, with a fresh request token. */
  private connectApp(url: string) {
    const win = window.open(url, 'leu-connect', 'popup,width=800,height=600');
    if (!win) return;
    const poll = setInterval(() => {
      if (!win.closed) return;
      clearInterval(poll);
      void this.appCenter.run();
    }, 250);
  }

  private renderAppCenter() {
    const when = (ms?: number) => (ms ? new Date(ms).toLocaleString() : 'unknown');
    return html`<section class="report app-center" aria-label="App Center">
      <h2>App Center</h2>
      ${this.appCenter.render({
        pending: () => html`<p>Loading…</p>`,
        complete: ({ connection, connectUrl }) =>
          html`<p class="status" role="status">
              ${
                connection?.connected
                  ? `Connected: company ${connection.companyId}, last refresh ${when(connection.refreshedAt)}, ` +
                    `expires ${when(connection.refreshExpiresAt)}.`
                  : connection
                    ? `Disconnected: ${connection.disconnected?.reason ?? ''}`
                    : 'Not connected.'
              }
            </p>
            ${
              connection?.connected
                ? html`<button @click=${() => void this.disconnectApp()}>Disconnect</button>`
                : html`<button @click=${() => this.connectApp(connectUrl)}>Connect</button>`
            }`,
        error: () =>
          html`<p role="alert">
            The App Center did not answer. <button @click=${() => this.appCenter.run()}>Retry</button>
          </p>`,
      })}
    </section>`;
  }

  /** Concur opens the popup and watches it; when it closes, the form reloads. */
  private launch(target: Launch, field: string) {
    const { source, ...ids } = target;
    delete (ids as { field?: string }).field;
    const url = `/sandbox/launch?${new URLSearchParams({
      source,
      ...ids,
      field,
      ...(this.actor === 'globex' ? { company: 'globex' } : { as: this.actor }),
      lang: this.language || navigator.language.replace('-', '_'),
      mobile: String(this.mobile),
    }).toString()}`;
    this.openPopup(url, () => void this.reports.run());
  }

  private renderField(label: string, context: string, value: string, target: Launch, field: string) {
    const id = `field-${Object.values(target).join('-')}`;
    return html`<dt><label for=${id}>${label}</label></dt>
      <dd class="field">
        <input id=${id} readonly .value=${value} aria-label="${label}, ${context}" />
        <button @click=${() => this.launch(target, field)} aria-label="Choose ${label} for ${context}">…</button>
      </dd>`;
  }

  private renderEntry(e: Entry) {
    const f = SANDBOX_FIELDS.ENTRY;
    const context = e.expenseType.name;
    return html`<div class="entry">
      <dl>
        <dt>Expense type</dt>
        <dd>${e.expenseType.name}</dd>
        <dt>Amount</dt>
        <dd>${money(e.transactionAmount)}</dd>
        <dt>Transaction date</dt>
        <dd>${e.transactionDate}</dd>
        ${this.renderField(
          f.label,
          context,
          valueOf(e.customData, f.id),
          { source: 'ENTRY', expense: e.expenseId },
          f.id,
        )}
        ${Object.values(SANDBOX_EXTRA_FIELDS)
          .filter((x) => e.customData.some((c) => c.id === x.id))
          .map((x) =>
            this.renderField(
              x.label,
              context,
              valueOf(e.customData, x.id),
              { source: 'ENTRY', expense: e.expenseId, field: x.id },
              x.id,
            ),
          )}
        ${(this.flows.value ?? [])
          .filter((x) => e.customData.some((c) => c.id === x.id))
          .map(
            (x) =>
              html`${this.renderField(
                x.label,
                context,
                valueOf(e.customData, x.id),
                { source: 'ENTRY', expense: e.expenseId, field: x.id },
                x.id,
              )}
              ${x.writes
                .filter((w) => w.field !== x.id)
                .map(
                  (w) =>
                    html`<dt class="written">${w.label}</dt>
                      <dd class="written" data-field=${w.field}>${valueOf(e.customData, w.field) || '—'}</dd>`,
                )}`,
          )}
        ${
          // A list field of Concur's own, filled by the Fetch List callout (examples/fields.json maps the list).
          this.actor === 'globex'
            ? nothing
            : html`<dt>Project / Task (Concur list)</dt>
                <dd>
                  <sim-list-field
                    list="Project / Task"
                    .levels=${['Project', 'Task']}
                    context=${context}
                  ></sim-list-field>
                </dd>`
        }
      </dl>
      ${
        e.allocations.length
          ? html`<div class="allocations">
              <h3>Allocations of ${e.expenseType.name}</h3>
              ${e.allocations.map((a) => {
                const af = SANDBOX_FIELDS.ALLOCATION;
                return html`<dl class="entry">
                  <dt>Percentage</dt>
                  <dd>${a.percentage} %</dd>
                  <dt>Amount</dt>
                  <dd>${money(a.allocationAmount)}</dd>
                  ${this.renderField(
                    af.label,
                    `allocation ${a.percentage} %`,
                    valueOf(a.customData, af.id),
                    { source: 'ALLOCATION', allocation: a.allocationId },
                    af.id,
                  )}
                </dl>`;
              })}
            </div>`
          : nothing
      }
    </div>`;
  }

  private renderReport(r: Report) {
    const submitted = r.approvalStatusId !== 'A_NOTF';
    const status =
      r.paymentStatusId === 'P_PAID' ? 'Paid' : submitted ? 'Submitted, pending approval' : 'Not submitted';
    const f = SANDBOX_FIELDS.HEADER;
    return html`<section class="report" aria-label="Report ${r.name}">
      <h2>${r.name}</h2>
      <p class="status">${status} · ${money(r.reportTotal)}</p>
      <dl>
        ${this.renderField(
          f.label,
          `report ${r.name}`,
          valueOf(r.customData, f.id),
          { source: 'HEADER', report: r.reportId },
          f.id,
        )}
      </dl>
      ${r.expenses.map((e) => this.renderEntry(e))}
    </section>`;
  }

  override render() {
    return html`
      <p class="banner">Concur sandbox: simulated SAP Concur expense reports. Nothing here reaches a real Concur.</p>
      <h1>Expense reports of ${this.actor === 'globex' ? `${SANDBOX_GLOBEX.user.name} (Globex)` : 'Jane Traveller'}</h1>
      <div class="settings">
        <label
          >Logged in as
          <select
            @change=${(ev: Event) => {
              this.actor = (ev.target as HTMLSelectElement).value as 'owner' | 'delegate' | 'globex';
            }}
          >
            <option value="owner">Jane Traveller (owner)</option>
            <option value="delegate">Dan Delegate (delegate)</option>
            <option value="globex">${SANDBOX_GLOBEX.user.name} (Globex, another company)</option>
          </select>
        </label>
        <label
          >Language
          <select
            @change=${(ev: Event) => {
              this.language = (ev.target as HTMLSelectElement).value;
            }}
          >
            <option value="">The browser's</option>
            ${[
              ['en_US', 'English'],
              ['de_DE', 'Deutsch'],
              ['fr_FR', 'Français'],
              ['es_ES', 'Español'],
              ['it_IT', 'Italiano'],
              ['ja_JP', '日本語'],
              ['pt_BR', 'Português (Brasil)'],
            ].map(([v, l]) => html`<option value=${v!}>${l}</option>`)}
          </select>
        </label>
        <label
          ><input
            type="checkbox"
            @change=${(ev: Event) => {
              this.mobile = (ev.target as HTMLInputElement).checked;
            }}
          />
          Mobile</label
        >
        <span>Popup size:</span>
        <label
          >width
          <input
            type="number"
            min="200"
            .value=${String(this.popupWidth)}
            @change=${(ev: Event) => {
              this.popupWidth = Number((ev.target as HTMLInputElement).value);
            }}
        /></label>
        <label
          >height
          <input
            type="number"
            min="200"
            .value=${String(this.popupHeight)}
            @change=${(ev: Event) => {
              this.popupHeight = Number((ev.target as HTMLInputElement).value);
            }}
        /></label>
      </div>
      ${this.renderAppCenter()} ${this.renderWaiting()}
      ${this.reports.render({
        pending: () =>
          this.reports.value ? this.reports.value.map((r) => this.renderReport(r)) : html`<p>Loading…</p>`,
        complete: (list) => list.map((r) => this.renderReport(r)),
        error: () =>
          html`<p role="alert">
            The sandbox did not answer. <button @click=${() => this.reports.run()}>Retry</button>
          </p>`,
      })}
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'sim-expense-list': SimExpenseListElement;
  }
}
