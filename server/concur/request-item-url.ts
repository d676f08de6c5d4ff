// Reads a Concur Request launch's item_url: which Request v4 resource it names (protocol sheet §2, §5, §7, §12.5).
// Concur documents no format for it. By Expense's example (its item_url is the Expense v4 resource), it is read as the
// Request v4 resource URL, strictly about where it points (checked against the host allowlist before any token is
// sent) and tolerantly about how the path is written; the README's "Concur behaviour we rely on" lists what passes.
import { itemAddress, type ItemKind } from './item-url.ts';

/** A travel request's header, one of its expected expenses, or an allocation (the launch's `source`). */
export interface RequestItemRef {
  product: 'request';
  kind: ItemKind;
  /** Everything before /travelrequest/v4, e.g. https://us.api.concursolutions.com */
  base: string;
  /** The request's id (Request v4's `id`, which /requests/{id} takes); absent for an expected expense named alone. */
  requestId?: string;
  /** The expected expense (ENTRY), or the one an allocation was named under. */
  expenseId?: string;
  allocationId?: string;
}

/** Ids as Request v4 writes them (UUIDs, hex): letters, digits, - and _. */
const ID = '([A-Za-z0-9_-]{1,128})';
/**
 * After /travelrequest/v4 (in any case): requests/{r}, requests/{r}/expenses/{e}, expenses/{e},
 * requests/{r}/allocations/{a}, requests/{r}/expenses/{e}/allocations/{a}; one trailing slash allowed.
 */
const REQUEST_PATH = new RegExp(
  `^(.*?)/travelrequest/v4/(?:requests/${ID}(?:/expenses/${ID})?(?:/allocations/${ID})?|expenses/${ID})/?$`,
  'i',
);

/** Parses a Request v4 request, expected expense or allocation URL; null when item_url is none of these. */
export function parseRequestItemUrl(itemUrl: string): RequestItemRef | null {
  // Strict where it points: a web address without credentials (the allowlist then checks host, port and scheme).
  // Tolerant in how it is written: a query (Concur may add ?userId=) or a fragment is not part of the item.
  const url = itemAddress(itemUrl);
  const m = url && REQUEST_PATH.exec(url.pathname);
  if (!m) return null;
  const [, prefix, requestId, underExpense, allocationId, aloneExpense] = m as unknown as [
    string,
    string,
    string?,
    string?,
    string?,
    string?,
  ];
  const base = url.origin + prefix;
  if (aloneExpense) return { product: 'request', kind: 'ENTRY', base, expenseId: aloneExpense };
  const ref = { product: 'request' as const, base, requestId: requestId! };
  if (allocationId)
    return { ...ref, kind: 'ALLOCATION', allocationId, ...(underExpense ? { expenseId: underExpense } : {}) };
  if (underExpense) return { ...ref, kind: 'ENTRY', expenseId: underExpense };
  return { ...ref, kind: 'HEADER' };
}

/** Whether a session's item is a travel request's (Concur Request launch) rather than an expense report's. */
export const isRequestItem = (item: { kind: ItemKind }): item is RequestItemRef =>
  (item as Partial<RequestItemRef>).product === 'request';
