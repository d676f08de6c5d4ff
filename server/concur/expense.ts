// Expense v4 reads and writes for the three launch sources: report header, expense entry, allocation.
import { z } from 'zod';
import type { ConcurClient, ConcurToken } from './client.ts';
import { itemPath, reportPath, submittedEntryPath, type ItemRef } from './item-url.ts';
import type { V4Session } from '../store/store.ts';
import { ConcurUnavailable, withCorrelation } from '../errors.ts';
import type { FieldWrite, ItemSummary, Money } from '../../src/contract/api.ts';

const MoneyJson = z.looseObject({ value: z.number(), currencyCode: z.string() });
const CustomData = z
  .array(z.looseObject({ id: z.string(), value: z.string().nullish() }))
  .nullish()
  .transform((v) => v ?? []);

const Report = z.looseObject({
  name: z.string().nullish(),
  approvalStatusId: z.string().nullish(),
  reportTotal: MoneyJson.nullish(),
  customData: CustomData,
});
const Entry = z.looseObject({
  expenseType: z.looseObject({ name: z.string().optional(), id: z.string().optional() }).nullish(),
  transactionAmount: MoneyJson.nullish(),
  transactionDate: z.string().nullish(),
  customData: CustomData,
});
const Allocation = z.looseObject({
  expenseId: z.string().nullish(),
  percentage: z.number().nullish(),
  allocationAmount: MoneyJson.nullish(),
  customData: CustomData,
});

/** Statuses in which the employee still owns the report; any other means it is in workflow (submitted). */
const UNSUBMITTED = new Set(['A_NOTF', 'A_RESU']);

export interface ItemView {
  summary: ItemSummary;
  reportName: string | null;
  submitted: boolean;
  /** The launched field's current value. */
  currentValue: string | null;
  /** Every custom field's current value, keyed by the field id in lower case (a wizard writes several). */
  values: Record<string, string | null>;
}

const money = (m: z.infer<typeof MoneyJson> | null | undefined): Money | null =>
  m ? { value: m.value, currency: m.currencyCode } : null;
/** A field Concur sends empty, null or not at all holds no value. */
export const emptyAsNull = (value: string | null | undefined): string | null => (value === '' ? null : (value ?? null));
const fieldValue = (data: { id: string; value?: string | null }[], fieldId: string) =>
  emptyAsNull(data.find((f) => f.id.toLowerCase() === fieldId.toLowerCase())?.value);
const allValues = (data: { id: string; value?: string | null }[]) =>
  Object.fromEntries(data.map((f) => [f.id.toLowerCase(), emptyAsNull(f.value)]));

export interface ExpenseApiOptions {
  /** An administrator's override of where Concur's APIs live, ignoring the token's geolocation. */
  apiBase?: string;
}

export class ExpenseApi {
  private readonly client: ConcurClient;
  private readonly opts: ExpenseApiOptions;
  constructor(client: ConcurClient, opts: ExpenseApiOptions = {}) {
    this.client = client;
    this.opts = opts;
  }

  /** Calls go to the override, else the token's geolocation, else the host the launch named. */
  #url(ref: ItemRef, token: ConcurToken, path: string): URL {
    return new URL((this.opts.apiBase ?? token.geolocation ?? ref.base) + path);
  }

  async #get<T>(
    call: string,
    ref: ItemRef,
    token: ConcurToken,
    path: string,
    schema: z.ZodType<T>,
    signal?: AbortSignal,
  ): Promise<T> {
    const { json, correlationId } = await this.client.getJson(call, this.#url(ref, token, path), token, signal);
    const parsed = schema.safeParse(json);
    if (!parsed.success)
      throw withCorrelation(
        new ConcurUnavailable('Concur sent an answer we could not read. Please try again.'),
        correlationId,
      );
    return parsed.data;
  }

  #report(ref: ItemRef, token: ConcurToken, signal?: AbortSignal) {
    return this.#get('expense.report.get', ref, token, reportPath(ref), Report, signal);
  }

  async read(session: V4Session, token: ConcurToken, signal?: AbortSignal): Promise<ItemView> {
    const ref = session.item;
    const reportP = this.#report(ref, token, signal);
    if (ref.kind === 'HEADER') {
      const r = await reportP;
      return {
        summary: { kind: 'HEADER', reportName: r.name ?? '', total: money(r.reportTotal) },
        reportName: r.name ?? null,
        submitted: isSubmitted(r.approvalStatusId),
        currentValue: fieldValue(r.customData, session.fieldId),
        values: allValues(r.customData),
      };
    }
    if (ref.kind === 'ENTRY') {
      const [e, r] = await Promise.all([
        this.#get('expense.entry.get', ref, token, itemPath(ref), Entry, signal),
        reportP,
      ]);
      return {
        summary: {
          kind: 'ENTRY',
          expenseType: e.expenseType?.name ?? e.expenseType?.id ?? '',
          amount: money(e.transactionAmount),
          date: e.transactionDate ?? null,
        },
        reportName: r.name ?? null,
        submitted: isSubmitted(r.approvalStatusId),
        currentValue: fieldValue(e.customData, session.fieldId),
        values: allValues(e.customData),
      };
    }
    const [a, r] = await Promise.all([
      this.#get('expense.allocation.get', ref, token, itemPath(ref), Allocation, signal),
      reportP,
    ]);
    return {
      summary: { kind: 'ALLOCATION', percentage: a.percentage ?? null, amount: money(a.allocationAmount) },
      reportName: r.name ?? null,
      submitted: isSubmitted(r.approvalStatusId),
      currentValue: fieldValue(a.customData, session.fieldId),
      values: allValues(a.customData),
    };
  }

  /**
   * Writes custom fields of the item (the launched one, or a wizard's several) in one call, the documented one
   * for the item, so they are saved together or not at all; resolves once Concur answers 2xx.
   */
  async write(
    session: V4Session,
    token: ConcurToken,
    writes: readonly FieldWrite[],
    signal?: AbortSignal,
  ): Promise<{ correlationId: string }> {
    const ref = session.item;
    const customData = writes.map((w) => ({ id: w.field, value: w.value, isValid: true }));
    if (ref.kind === 'HEADER') {
      return this.client.send(
        'expense.report.patch',
        'patch',
        this.#url(ref, token, reportPath(ref)),
        token,
        { customData, reportSource: 'OTHER' },
        signal,
      );
    }
    if (ref.kind === 'ALLOCATION') {
      // expense_ids came unsigned: the write names only the expense Concur says this allocation belongs to.
      const allocation = await this.#get('expense.allocation.get', ref, token, itemPath(ref), Allocation, signal);
      if (!allocation.expenseId)
        throw new ConcurUnavailable(
          'Concur did not say which expense this allocation belongs to, so nothing was changed. Please try again.',
        );
      return this.client.send(
        'expense.allocation.patch',
        'patch',
        this.#url(ref, token, itemPath(ref)),
        token,
        {
          allocation: { customData },
          expenseIds: [allocation.expenseId],
        },
        signal,
      );
    }
    // An entry on a report in workflow can only be changed through the submitted-report path, which also
    // serves unsubmitted reports: so it is used whenever the status is not known to be unsubmitted.
    const status = (await this.#report(ref, token, signal)).approvalStatusId;
    const submitted = !status || !UNSUBMITTED.has(status);
    const path = submitted ? submittedEntryPath(ref) : itemPath(ref);
    return this.client.send(
      submitted ? 'expense.entry.patch_submitted' : 'expense.entry.patch',
      'patch',
      this.#url(ref, token, path),
      token,
      {
        customData,
        expenseSource: 'OTHER',
      },
      signal,
    );
  }
}

export function isSubmitted(approvalStatusId: string | null | undefined): boolean {
  return approvalStatusId ? !UNSUBMITTED.has(approvalStatusId) : false;
}
