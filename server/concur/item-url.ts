// Reads Concur's item_url: which Expense v4 resource a launch points to (protocol sheet §5).

export interface ExpenseEntryRef {
  kind: 'ENTRY';
  url: URL;
  userId: string;
  contextType: string;
  reportId: string;
  expenseId: string;
}

const ENTRY_PATH =
  /\/expensereports\/v4\/users\/([^/?#]+)\/context\/([^/?#]+)\/reports\/([^/?#]+)\/expenses\/([^/?#]+)\/?$/;

/** Parses an expense entry URL, or returns null when item_url is not one. */
export function parseExpenseEntryUrl(itemUrl: string): ExpenseEntryRef | null {
  let url: URL;
  try {
    url = new URL(itemUrl);
  } catch {
    return null;
  }
  if (url.search || url.hash) return null;
  const m = ENTRY_PATH.exec(url.pathname);
  if (!m) return null;
  const [, userId, contextType, reportId, expenseId] = m as unknown as [string, string, string, string, string];
  return { kind: 'ENTRY', url, userId, contextType, reportId, expenseId };
}
