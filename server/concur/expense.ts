// Expense v4 reads and writes for the three launch sources: report header, expense entry, allocation.
import { z } from 'zod';
import type { ConcurToken } from './client.ts';
import type { ItemRef } from './item-url.ts';
import { ConcurItemApi, type ItemApiOptions } from './item-api.ts';
import {
  formFieldsPath,
  itemPath,
  reportPath,
  reportState,
  writePlan,
  type FieldRule,
  type ReportState,
} from './write-rules.ts';
import { ConcurUnavailable, ReportPaid } from '../errors.ts';
import type { FieldWrite, ItemSummary, Money } from '../../src/contract/api.ts';

const MoneyJson = z.looseObject({ value: z.number(), currencyCode: z.string() });
const CustomData = z
  .array(z.looseObject({ id: z.string(), value: z.string().nullish() }))
  .nullish()
  .transform((v) => v ?? []);

const Report = z.looseObject({
  name: z.string().nullish(),
  policyId: z.string().nullish(),
  approvalStatusId: z.string().nullish(),
  paymentStatusId: z.string().nullish(),
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

const FormField = z.looseObject({
  fieldId: z.string(),
  fieldAccess: z.string().nullish(),
  maximumLength: z.number().int().positive().nullish(),
});
/** The schema says { formFields: [...] }, the example is a bare array [AMB]: both are read. */
const FormFields = z.union([z.array(FormField), z.looseObject({ formFields: z.array(FormField) })]);

/** Runs a call with a token: the launch's user token, or the company's (from its connection). */
export type TokenRunner = <T>(call: (token: ConcurToken) => Promise<T>) => Promise<T>;

/** What a search's context reads of the item: an entry's transaction date (YYYY-MM-DD) and expense type. */
export interface ItemFacts {
  date?: string;
  expenseType?: string;
}

export interface ItemView {
  summary: ItemSummary;
  reportName: string | null;
  /** Submitted (in workflow) and paid, as the report says. */
  state: ReportState;
  /** The launched field's current value. */
  currentValue: string | null;
  /** Every custom field's current value, keyed by the field id in lower case (a wizard writes several). */
  values: Record<string, string | null>;
  /** The form's rules for each field, keyed by field id in lower case; empty where Concur has no form fields. */
  fields: Record<string, FieldRule>;
  /** A travel request's dates, YYYY-MM-DD (Concur Request items: see request.ts); reports have none. */
  dates?: { startDate: string | null; endDate: string | null };
}

const money = (m: z.infer<typeof MoneyJson> | null | undefined): Money | null =>
  m ? { value: m.value, currency: m.currencyCode } : null;
/** A field Concur sends empty, null or not at all holds no value. */
export const emptyAsNull = (value: string | null | undefined): string | null => (value === '' ? null : (value ?? null));
const fieldValue = (data: { id: string; value?: string | null }[], fieldId: string) =>
  emptyAsNull(data.find((f) => f.id.toLowerCase() === fieldId.toLowerCase())?.value);
const allValues = (data: { id: string; value?: string | null }[]) =>
  Object.fromEntries(data.map((f) => [f.id.toLowerCase(), emptyAsNull(f.value)]));

export type ExpenseApiOptions = ItemApiOptions;

export class ExpenseApi extends ConcurItemApi {
  #report(ref: ItemRef, token: ConcurToken, signal?: AbortSignal) {
    return this.get('expense.report.get', ref, token, reportPath(ref), Report, signal);
  }

  /** The item as the user's token sees it: a user never reaches an item Concur does not show them. */
  #item(ref: ItemRef, token: ConcurToken, signal?: AbortSignal) {
    if (ref.kind === 'ENTRY') return this.get('expense.entry.get', ref, token, itemPath(ref), Entry, signal);
    if (ref.kind === 'ALLOCATION')
      return this.get('expense.allocation.get', ref, token, itemPath(ref), Allocation, signal);
    return Promise.resolve(undefined);
  }

  /**
   * The form's rules for the item's fields (protocol sheet §5), read with the user's token. The endpoints are new
   * and optional: a form Concur cannot give (404, refused, unreadable) leaves the rules unknown, never the popup.
   */
  async #formFields(
    ref: ItemRef,
    token: ConcurToken,
    ids: { policyId?: string | null; expenseTypeId?: string | null },
    signal?: AbortSignal,
  ): Promise<Record<string, FieldRule>> {
    const path = formFieldsPath(ref, ids);
    if (!path) return {};
    try {
      const answer = await this.get('expense.form_fields.get', ref, token, path, FormFields, signal);
      const list = Array.isArray(answer) ? answer : answer.formFields;
      const rules: Record<string, FieldRule> = {};
      for (const f of list) {
        const access = f.fieldAccess?.toUpperCase();
        rules[f.fieldId.toLowerCase()] = {
          access: access === 'RO' || access === 'HD' ? access : 'RW',
          ...(f.maximumLength ? { maxLength: f.maximumLength } : {}),
        };
      }
      return rules;
    } catch {
      return {};
    }
  }

  /** The item a launch named, and its field `fieldId`'s current value. */
  /**
   * The item, its report and its form's rules. `onFacts` hears what a search's context needs of the item (an entry's
   * date and type) as soon as the item itself has been read, before its form's rules are.
   */
  async read(
    ref: ItemRef,
    fieldId: string,
    user: TokenRunner,
    signal?: AbortSignal,
    onFacts?: (facts: ItemFacts) => void,
  ): Promise<ItemView> {
    return user(async (token) => {
      const [r, item] = await Promise.all([this.#report(ref, token, signal), this.#item(ref, token, signal)]);
      const entry = ref.kind === 'ENTRY' ? (item as z.infer<typeof Entry>) : undefined;
      // A search's facts, as factsOf reads them from the summary: an empty type is no type.
      const type = entry?.expenseType?.name ?? entry?.expenseType?.id ?? '';
      onFacts?.(entry ? { date: entry.transactionDate ?? undefined, expenseType: type || undefined } : {});
      const state = reportState(r.approvalStatusId, r.paymentStatusId);
      const base = { reportName: r.name ?? null, state };
      if (ref.kind === 'HEADER') {
        const fields = await this.#formFields(ref, token, { policyId: r.policyId }, signal);
        return {
          ...base,
          summary: { kind: 'HEADER', reportName: r.name ?? '', total: money(r.reportTotal) },
          currentValue: fieldValue(r.customData, fieldId),
          values: allValues(r.customData),
          fields,
        };
      }
      if (entry) {
        const e = entry;
        const fields = await this.#formFields(ref, token, { expenseTypeId: e.expenseType?.id }, signal);
        return {
          ...base,
          summary: {
            kind: 'ENTRY',
            expenseType: e.expenseType?.name ?? e.expenseType?.id ?? '',
            amount: money(e.transactionAmount),
            date: e.transactionDate ?? null,
          },
          currentValue: fieldValue(e.customData, fieldId),
          values: allValues(e.customData),
          fields,
        };
      }
      const a = item as z.infer<typeof Allocation>;
      return {
        ...base,
        summary: { kind: 'ALLOCATION', percentage: a.percentage ?? null, amount: money(a.allocationAmount) },
        currentValue: fieldValue(a.customData, fieldId),
        values: allValues(a.customData),
        fields: {},
      };
    });
  }

  /**
   * Writes custom fields of the item (the launched one, or a wizard's several) in one call, the documented one
   * for the item (write-rules.ts), so they are saved together or not at all; resolves once Concur answers 2xx.
   * The user's token reads the item and its report first, whichever token then writes: what the user cannot read,
   * the company's token never writes for them; a paid report is refused here.
   */
  async write(
    ref: ItemRef,
    tokens: { user: TokenRunner; company: TokenRunner },
    writes: readonly FieldWrite[],
    signal?: AbortSignal,
  ): Promise<{ correlationId: string }> {
    const customData = writes.map((w) => ({ id: w.field, value: w.value, isValid: true }));
    const [report, item] = await tokens.user((token) =>
      Promise.all([this.#report(ref, token, signal), this.#item(ref, token, signal)]),
    );
    const state = reportState(report.approvalStatusId, report.paymentStatusId);
    if (state.paid) throw new ReportPaid();
    // expense_ids came unsigned: an allocation's write names only the expense Concur says it belongs to.
    const expenseId = ref.kind === 'ALLOCATION' ? (item as z.infer<typeof Allocation>).expenseId : undefined;
    if (ref.kind === 'ALLOCATION' && !expenseId)
      throw new ConcurUnavailable(
        'Concur did not say which expense this allocation belongs to, so nothing was changed. Please try again.',
      );
    const plan = writePlan(ref, state, customData, expenseId ?? undefined);
    const run = plan.token === 'company' ? tokens.company : tokens.user;
    return run((token) =>
      this.client.send(plan.call, 'patch', this.url(ref, token, plan.path), token, plan.body, signal),
    );
  }
}
