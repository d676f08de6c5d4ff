// Request v4 reads and writes for the three Concur Request launch sources: a travel request's header, an expected
// expense, an allocation (protocol sheet §2, §7); which call, token and userId each takes is request-write-rules.ts.
import { z } from 'zod';
import type { ConcurToken } from './client.ts';
import type { RequestItemRef } from './request-item-url.ts';
import { ConcurItemApi } from './item-api.ts';
import { emptyAsNull, type ItemFacts, type ItemView, type TokenRunner } from './expense.ts';
import {
  expectedExpensePath,
  requestAllocationPath,
  requestPath,
  requestWritePlan,
  REQUEST_NOT_CONNECTED,
  REQUEST_UNSUBMITTED_STATUSES,
  userQuery,
  type RequestPeople,
} from './request-write-rules.ts';
import { CompanyNotConnected, ConcurRequestRefused, ConcurUnavailable, withCorrelation } from '../errors.ts';
import type { FieldWrite, Money } from '../../src/contract/api.ts';

/** Request v4 writes amounts as { value, currency }; Expense's currencyCode is read too. */
const AmountJson = z.looseObject({
  value: z.number(),
  currency: z.string().optional(),
  currencyCode: z.string().optional(),
});
const Ref = z.looseObject({ id: z.string().nullish() }).nullish();

/** custom1..custom20 are objects { code, value, href } (value: a list item's id for list fields). */
const customValues = (json: Record<string, unknown>): Record<string, string | null> =>
  Object.fromEntries(
    Object.entries(json)
      .filter(([k]) => /^custom\d+$/i.test(k))
      .map(([k, v]) => {
        const value = v && typeof v === 'object' ? (v as { value?: unknown }).value : undefined;
        return [k.toLowerCase(), typeof value === 'string' ? emptyAsNull(value) : null];
      }),
  );

const RequestJson = z.looseObject({
  id: z.string().nullish(),
  name: z.string().nullish(),
  startDate: z.string().nullish(),
  endDate: z.string().nullish(),
  approvalStatus: z.looseObject({ code: z.string().nullish() }).nullish(),
  owner: Ref,
});
const ExpectedExpenseJson = z.looseObject({
  id: z.string().nullish(),
  expenseType: z.looseObject({ id: z.string().nullish(), name: z.string().nullish() }).nullish(),
  transactionDate: z.string().nullish(),
  transactionAmount: AmountJson.nullish(),
  parentRequest: Ref,
});
const AllocationJson = z.looseObject({
  percentage: z.number().nullish(),
  allocationAmount: AmountJson.nullish(),
  amount: AmountJson.nullish(),
});

const money = (m: z.infer<typeof AmountJson> | null | undefined): Money | null => {
  const currency = m?.currency ?? m?.currencyCode;
  return m && currency ? { value: m.value, currency } : null;
};
const day = (d: string | null | undefined) => (d ? d.slice(0, 10) : null);

/** What the popup reads of a travel request's item: Expense's view, always with the request's dates. */
export type RequestItemView = ItemView & Required<Pick<ItemView, 'dates'>>;

export class RequestApi extends ConcurItemApi {
  /**
   * The item and its request, as the user's token sees them. An expected expense named alone says its request
   * (parentRequest); one named under a request must belong to it, and the request must be the signed owner's.
   */
  async #read(ref: RequestItemRef, people: RequestPeople, token: ConcurToken, signal?: AbortSignal) {
    const asUser = userQuery(people);
    const getRequest = (id: string) =>
      this.get('request.get', ref, token, requestPath(id) + asUser, RequestJson, signal);
    const [request, expense, allocation] = await Promise.all([
      ref.requestId ? getRequest(ref.requestId) : undefined,
      ref.kind === 'ENTRY'
        ? this.get(
            'request.expense.get',
            ref,
            token,
            expectedExpensePath(ref.expenseId!) + asUser,
            ExpectedExpenseJson,
            signal,
          )
        : undefined,
      ref.kind === 'ALLOCATION'
        ? this.get(
            'request.allocation.get',
            ref,
            token,
            requestAllocationPath(ref.requestId!, ref.allocationId!) + asUser,
            AllocationJson,
            signal,
          )
        : undefined,
    ]);
    const parent = expense?.parentRequest?.id ?? undefined;
    if (parent && ref.requestId && parent.toLowerCase() !== ref.requestId.toLowerCase())
      throw new ConcurRequestRefused(
        'Concur says this expected expense belongs to another travel request than the link names, so nothing was ' +
          'read or changed.',
      );
    const requestId = ref.requestId ?? parent;
    if (!requestId)
      throw new ConcurUnavailable('Concur did not say which travel request this expected expense belongs to.');
    const found = request ?? (await getRequest(requestId));
    if (found.owner?.id && found.owner.id.toLowerCase() !== people.ownerId.toLowerCase())
      throw new ConcurRequestRefused(
        'This travel request belongs to another employee than the link from Concur names, so nothing was changed.',
      );
    // The launched item's own fields: the header's are the request's.
    const fields = customValues(expense ?? allocation ?? found);
    return { requestId, request: found, expense, allocation, fields };
  }

  /** The item a launch named, its request's name and dates, and its field `fieldId`'s current value. */
  async read(
    ref: RequestItemRef,
    fieldId: string,
    people: RequestPeople,
    user: TokenRunner,
    signal?: AbortSignal,
    onFacts?: (facts: ItemFacts) => void,
  ): Promise<RequestItemView> {
    return user(async (token) => {
      const { request, expense, allocation, fields: values } = await this.#read(ref, people, token, signal);
      const expenseType = expense?.expenseType?.name ?? expense?.expenseType?.id ?? '';
      const date = day(expense?.transactionDate);
      onFacts?.(expense ? { date: date ?? undefined, expenseType: expenseType || undefined } : {});
      const summary: ItemView['summary'] = expense
        ? { kind: 'ENTRY', expenseType, amount: money(expense.transactionAmount), date }
        : allocation
          ? {
              kind: 'ALLOCATION',
              percentage: allocation.percentage ?? null,
              amount: money(allocation.allocationAmount ?? allocation.amount),
            }
          : {
              kind: 'REQUEST',
              requestName: request.name ?? '',
              startDate: day(request.startDate),
              endDate: day(request.endDate),
            };
      const status = request.approvalStatus?.code;
      return {
        summary,
        reportName: request.name ?? null,
        // A request without a status counts as submitted (the safe reading); Request has nothing like "paid".
        state: { submitted: !status || !REQUEST_UNSUBMITTED_STATUSES.has(status), paid: false },
        currentValue: values[fieldId.toLowerCase()] ?? null,
        values,
        // Request v4 has no form-fields endpoint: no field is known to be read-only or shorter.
        fields: {},
        dates: { startDate: day(request.startDate), endDate: day(request.endDate) },
      };
    });
  }

  /**
   * Writes custom fields of the item in one call, the documented one for it (request-write-rules.ts), then reads
   * the item back with the user's token and resolves only when it holds every value written: a PUT's unknown field
   * is ignored rather than refused, and the popup must not close on a value Concur did not keep.
   */
  async write(
    ref: RequestItemRef,
    people: RequestPeople,
    tokens: { user: TokenRunner; company: TokenRunner },
    writes: readonly FieldWrite[],
    signal?: AbortSignal,
  ): Promise<{ correlationId: string }> {
    // The user's token reads the item first, whichever token then writes.
    const { requestId } = await tokens.user((token) => this.#read(ref, people, token, signal));
    const plan = requestWritePlan(ref, requestId, people, writes);
    const run = plan.token === 'company' ? tokens.company : tokens.user;
    const { correlationId } = await run((token) =>
      this.client.send(plan.call, 'put', this.url(ref, token, plan.path), token, plan.body, signal),
    ).catch((error: unknown) => {
      // The company's connection speaks of expense entries; here it is an expected expense that cannot be written.
      throw error instanceof CompanyNotConnected ? new CompanyNotConnected(REQUEST_NOT_CONNECTED) : error;
    });
    const after = await tokens.user(
      async (token) => (await this.#read({ ...ref, requestId }, people, token, signal)).fields,
    );
    const missing = writes.find((w) => after[w.field.toLowerCase()] !== w.value);
    if (missing)
      throw withCorrelation(
        new ConcurRequestRefused(
          `Concur accepted the change but does not show it: ${missing.field} holds ` +
            `${after[missing.field.toLowerCase()] ?? 'nothing'}, not ${missing.value}. The field may not be on this ` +
            'form in Concur; your administrator can check the form and the fields configuration.',
        ),
        correlationId,
      );
    return { correlationId };
  }
}
