// The fake Concur's travel-request forms (Concur Request): the Launch URL fields on the sandbox's travel requests'
// headers, their expected expenses and allocations, and the Request v4 writes it accepted. Browser-safe, like
// concur-state.ts, whose SandboxConcur holds one of these and resets it with the rest.
import type { Principal, SandboxTravelRequest } from './concur-state.ts';

/** The Launch URL fields on the simulated travel-request forms, per level (examples/fields.json serves them). */
export const SANDBOX_REQUEST_FIELDS = {
  HEADER: { id: 'custom5', label: 'Cost centre' },
  ENTRY: { id: 'custom12', label: 'Project' },
  ALLOCATION: { id: 'custom9', label: 'Project' },
} as const;
/** The expected expenses' wizard fields (the flow custom16 of examples/fields.json writes custom16 to custom19). */
export const SANDBOX_REQUEST_FLOW_FIELDS = ['custom16', 'custom17', 'custom18', 'custom19'] as const;

/** The Frankfurt request's expected expenses and the hotel's allocations. */
export const SANDBOX_REQUEST_IDS = {
  taxi: '5d0c6a1e-2b3f-4c4d-8e5f-6a7b8c9d0e11',
  hotel: '5d0c6a1e-2b3f-4c4d-8e5f-6a7b8c9d0e12',
  hotelAllocationA: '7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c41',
  hotelAllocationB: '7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c42',
} as const;

export interface SandboxExpectedExpense {
  id: string;
  requestUuid: string;
  expenseType: { id: string; name: string };
  transactionDate: string;
  transactionAmount: { value: number; currency: string };
  /** The custom fields on its form, by lower-case id; a field not here is not on the form (a write is ignored). */
  custom: Record<string, string | null>;
}

export interface SandboxRequestAllocation {
  id: string;
  requestUuid: string;
  expenseId: string;
  percentage: number;
  custom: Record<string, string | null>;
}

/** One Request v4 PUT the fake Concur accepted: which token kind, for which user (userId), wrote what. */
export interface SandboxRequestWrite {
  path: 'request' | 'expected-expense' | 'allocation';
  principal: Principal;
  /** The userId query parameter, when the call named one. */
  userId?: string;
  itemId: string;
  body: unknown;
}

const empty = (ids: readonly string[]) => Object.fromEntries(ids.map((id) => [id, null]));

export class SandboxRequestForms {
  /** Each travel request's header fields, by request id (Request v4's `id`). */
  readonly headers = new Map<string, Record<string, string | null>>();
  readonly expenses = new Map<string, SandboxExpectedExpense>();
  readonly allocations = new Map<string, SandboxRequestAllocation>();
  /** Every PUT accepted since the last reset, oldest first. */
  readonly writes: SandboxRequestWrite[] = [];

  /** Every request with its header field empty; the first (Frankfurt) with a taxi and a hotel allocated 70/30. */
  reset(requests: readonly SandboxTravelRequest[]): void {
    for (const m of [this.headers, this.expenses, this.allocations]) m.clear();
    this.writes.length = 0;
    for (const r of requests) this.headers.set(r.id, empty([SANDBOX_REQUEST_FIELDS.HEADER.id]));
    const first = requests[0];
    if (!first) return;
    const expense = (
      id: string,
      type: SandboxExpectedExpense['expenseType'],
      date: string,
      value: number,
      fields: readonly string[],
    ) =>
      this.expenses.set(id, {
        id,
        requestUuid: first.id,
        expenseType: type,
        transactionDate: date,
        transactionAmount: { value, currency: 'EUR' },
        custom: empty(fields),
      });
    expense(SANDBOX_REQUEST_IDS.taxi, { id: 'TAXIX', name: 'Taxi' }, first.startDate, 60, [
      SANDBOX_REQUEST_FIELDS.ENTRY.id,
      ...SANDBOX_REQUEST_FLOW_FIELDS,
    ]);
    expense(SANDBOX_REQUEST_IDS.hotel, { id: 'LODNG', name: 'Hotel' }, first.startDate, 480, [
      SANDBOX_REQUEST_FIELDS.ENTRY.id,
    ]);
    for (const [id, percentage] of [
      [SANDBOX_REQUEST_IDS.hotelAllocationA, 70],
      [SANDBOX_REQUEST_IDS.hotelAllocationB, 30],
    ] as const)
      this.allocations.set(id, {
        id,
        requestUuid: first.id,
        expenseId: SANDBOX_REQUEST_IDS.hotel,
        percentage,
        custom: empty([SANDBOX_REQUEST_FIELDS.ALLOCATION.id]),
      });
  }

  /** The item_url Concur Request would send (the Request v4 resource: see server/concur/request-item-url.ts). */
  itemUrl(base: string, item: { request: string } | { expense: string } | { allocation: string }): string {
    const v4 = `${base}/travelrequest/v4`;
    if ('request' in item) return `${v4}/requests/${item.request}`;
    if ('expense' in item)
      return `${v4}/requests/${this.expenses.get(item.expense)!.requestUuid}/expenses/${item.expense}`;
    return `${v4}/requests/${this.allocations.get(item.allocation)!.requestUuid}/allocations/${item.allocation}`;
  }

  headerValue(requestUuid: string, fieldId: string): string | null | undefined {
    return this.headers.get(requestUuid)?.[fieldId];
  }

  expenseValue(expenseId: string, fieldId: string): string | null | undefined {
    return this.expenses.get(expenseId)?.custom[fieldId];
  }

  allocationValue(allocationId: string, fieldId: string): string | null | undefined {
    return this.allocations.get(allocationId)?.custom[fieldId];
  }
}
