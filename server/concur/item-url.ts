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

/**
 * item_url as a web address without credentials, or null: only a web address can be an API item (a signed
 * "javascript:" or "file:" value has no origin to check). Its host is checked against the allowlist later.
 */
export function itemAddress(itemUrl: string): URL | null {
  let url: URL;
  try {
    url = new URL(itemUrl);
  } catch {
    return null;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
  return url.username || url.password ? null : url;
}

/** Parses an Expense v4 report, expense or allocation URL, or returns null when item_url is none of these. */
export function parseItemUrl(itemUrl: string): ItemRef | null {
  const url = itemAddress(itemUrl);
  if (!url || url.search || url.hash) return null;
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
