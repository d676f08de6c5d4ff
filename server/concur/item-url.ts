// Reads Concur's item_url: which Expense v4 resource a launch points to (protocol sheet §5), and builds its URLs.

/** What a launch points to: the report header, an expense entry or an allocation (the launch's `source` parameter). */
export type ItemKind = 'HEADER' | 'ENTRY' | 'ALLOCATION';

export interface ItemRef {
  kind: ItemKind;
  /** Everything before /expensereports/v4, e.g. https://us.api.concursolutions.com */
  base: string;
  userId: string;
  contextType: string;
  reportId: string;
  expenseId?: string;
  allocationId?: string;
}

const ITEM_PATH = new RegExp(
  '^(.*)/expensereports/v4/users/([^/?#]+)/context/([^/?#]+)' +
    '/reports/([^/?#]+)(?:/(expenses|allocations)/([^/?#]+))?/?$',
);

/** Parses an Expense v4 report, expense or allocation URL, or returns null when item_url is none of these. */
export function parseItemUrl(itemUrl: string): ItemRef | null {
  let url: URL;
  try {
    url = new URL(itemUrl);
  } catch {
    return null;
  }
  // Only a web address can be an API item (a signed "javascript:" or "file:" value has no origin to check).
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
  if (url.search || url.hash || url.username || url.password) return null;
  const m = ITEM_PATH.exec(url.pathname);
  if (!m) return null;
  const [, prefix, userId, contextType, reportId, collection, id] = m as unknown as [
    string,
    string,
    string,
    string,
    string,
    string?,
    string?,
  ];
  const ref = { base: url.origin + prefix, userId, contextType: contextType.toUpperCase(), reportId };
  if (collection === 'expenses') return { ...ref, kind: 'ENTRY', expenseId: id };
  if (collection === 'allocations') return { ...ref, kind: 'ALLOCATION', allocationId: id };
  return { ...ref, kind: 'HEADER' };
}
