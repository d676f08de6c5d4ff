// How Concur wants each item written, per its documentation of August 2026 (protocol sheet §5), in one place: a
// tenant whose Concur behaves otherwise is corrected here. The readings taken where the documentation is ambiguous
// ([AMB]) are listed in the README's "Concur behaviour we rely on".
import type { ItemRef, ItemKind } from './item-url.ts';

const seg = encodeURIComponent;

/** Approval statuses in which the employee still owns the report; any other means it is in workflow. */
export const UNSUBMITTED_STATUSES: ReadonlySet<string> = new Set(['A_NOTF', 'A_RESU']);
/** The payment status after which Concur refuses every change to the report [INF: the docs say "Paid"]. */
export const PAID_STATUS = 'P_PAID';
/** The source every write names: the connector is neither Concur's UI nor its mobile app. */
export const WRITE_SOURCE = 'OTHER';

export interface ReportState {
  /** Known to be in workflow: a report whose status is missing counts as submitted (the safe reading). */
  submitted: boolean;
  paid: boolean;
}

export function reportState(approvalStatusId?: string | null, paymentStatusId?: string | null): ReportState {
  return {
    submitted: !approvalStatusId || !UNSUBMITTED_STATUSES.has(approvalStatusId),
    paid: paymentStatusId === PAID_STATUS,
  };
}

export interface CustomDatum {
  id: string;
  value: string;
  isValid: boolean;
}

/** Which call writes an item, with which token, and with which body. */
export interface WritePlan {
  /** The call's name in logs and metrics. */
  call: string;
  token: 'user' | 'company';
  path: string;
  body: Record<string, unknown>;
}

/** The report header on the users/{id}/context/{ctx} path (reads, and the unsubmitted-report write). */
export function reportPath(ref: ItemRef): string {
  return `/expensereports/v4/users/${seg(ref.userId)}/context/${seg(ref.contextType)}/reports/${seg(ref.reportId)}`;
}

/** The item itself (header, entry or allocation) as the launch named it, in the launch's context (PROXY too). */
export function itemPath(ref: ItemRef): string {
  if (ref.kind === 'ENTRY') return `${reportPath(ref)}/expenses/${seg(ref.expenseId!)}`;
  if (ref.kind === 'ALLOCATION') return `${reportPath(ref)}/allocations/${seg(ref.allocationId!)}`;
  return reportPath(ref);
}

/** The item's form fields (who may see and change each field, and its length), where Concur has them. */
export function formFieldsPath(
  ref: ItemRef,
  ids: { policyId?: string | null; expenseTypeId?: string | null },
): string | undefined {
  const report = `/expensereports/v4/reports/${seg(ref.reportId)}`;
  if (ref.kind === 'HEADER' && ids.policyId) return `${report}/formFields?policyId=${seg(ids.policyId)}`;
  if (ref.kind === 'ENTRY' && ids.expenseTypeId)
    return `${report}/expenses/${seg(ref.expenseId!)}/formFields?expenseTypeId=${seg(ids.expenseTypeId)}`;
  // Allocations have no form-fields endpoint.
  return undefined;
}

/** Whether a write of this item needs the company's token (the popup warns before the user picks, when missing). */
export function needsCompanyToken(kind: ItemKind, state: ReportState): boolean {
  return kind === 'ENTRY' || (kind === 'HEADER' && state.submitted);
}

/**
 * The documented write for the item:
 * - entry: `PATCH /reports/{r}/expenses/{e}`, company token only, `expenseSource` required; never
 *   `isExpenseRejected` (true moves the expense to an addendum report). The user-context entry PATCH was removed
 *   from the docs on 2024-09-04 and is not used.
 * - header, unsubmitted: the user-context `PATCH` with the user's token and the required `reportSource`;
 * - header, submitted: `PATCH /reports/{r}`, company token only, whose schema has no `reportSource`;
 * - allocation: the user-context `PATCH` with the user's token, `allocation.customData` and the allocation's own
 *   expense in `expenseIds` (an array, though the docs type it a string).
 */
export function writePlan(ref: ItemRef, state: ReportState, customData: CustomDatum[], expenseId?: string): WritePlan {
  const report = `/expensereports/v4/reports/${seg(ref.reportId)}`;
  if (ref.kind === 'ENTRY')
    return {
      call: 'expense.entry.patch',
      token: 'company',
      path: `${report}/expenses/${seg(ref.expenseId!)}`,
      body: { customData, expenseSource: WRITE_SOURCE },
    };
  if (ref.kind === 'HEADER')
    return state.submitted
      ? { call: 'expense.report.patch_submitted', token: 'company', path: report, body: { customData } }
      : {
          call: 'expense.report.patch',
          token: 'user',
          path: reportPath(ref),
          body: { customData, reportSource: WRITE_SOURCE },
        };
  return {
    call: 'expense.allocation.patch',
    token: 'user',
    path: itemPath(ref),
    body: { allocation: { customData }, expenseIds: [expenseId] },
  };
}

/** A field's rules on the item's form, from the form-fields endpoints. */
export interface FieldRule {
  /** RW: the user may change it; RO: shown read-only; HD: hidden. */
  access: 'RW' | 'RO' | 'HD';
  maxLength?: number;
}

/** customData values are strings of at most 48 characters, whatever the field's type. */
export const CONCUR_VALUE_MAX = 48;
