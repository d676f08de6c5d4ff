// The fields configuration's `fetchList`: at which path Concur's Fetch List callout is answered for a company, and
// which catalog source answers each of its Concur lists (for a connected list, the column naming each level's parent).
import { z } from 'zod';

/** Where Concur's documentation registers the Fetch List service (protocol sheet §9). */
export const DEFAULT_FETCH_LIST_PATH = '/concur/list/v1.2/fetch';

/** Paths the connector serves itself: a callout configured there would take their requests. */
const OWN_PATHS = [
  '/api',
  '/app',
  '/embed',
  '/examples',
  '/ops',
  '/oauth',
  '/sandbox',
  '/system',
  '/launchexternalurl',
  '/request/launchexternalurl',
  '/concur/connect',
  '/concur/form',
  '/healthz',
  '/readyz',
  '/metrics',
];
const isOwnPath = (path: string) => OWN_PATHS.some((own) => path === own || path.startsWith(`${own}/`));

/** Level N (from 2) of a connected list: the catalog column holding the code of its parent at level N - 1. */
const ListLevel = z
  .object({
    parent: z.string().min(1, 'parent names the catalog column that holds the parent code'),
    /** A catalog source of its own for this level (default: the list's). */
    source: z.string().min(1).optional(),
  })
  .strict();

const ListMapping = z
  .object({
    /** The list's name in Concur (List Management), compared without regard to case. */
    name: z.string().trim().min(1).optional(),
    /** Or its id (List v4's, with or without hyphens). */
    id: z.string().trim().min(1).optional(),
    /** The catalog source (under `sources`) whose rows are the list's items. */
    source: z.string().min(1),
    /** For a connected list: level number (2, 3, ...) -> where that level's parent code is. */
    levels: z.record(z.string().regex(/^[1-9]\d*$/, 'levels are numbered 2, 3, ...'), ListLevel).default({}),
  })
  .strict()
  .refine((l) => l.name !== undefined || l.id !== undefined, 'give the list its name, its id, or both')
  .refine((l) => {
    const numbers = Object.keys(l.levels)
      .map(Number)
      .sort((a, b) => a - b);
    return numbers.every((n, i) => n === i + 2);
  }, 'levels are numbered from 2 without a gap (level 1 is the top of the list and has no parent)');
export type ListMapping = z.infer<typeof ListMapping>;

export const FetchListConfig = z
  .object({
    /** The endpoint registered for the Fetch List service on the company's connector registration. */
    path: z
      .string()
      .regex(/^(\/[A-Za-z0-9._~-]+)+$/, 'path is an absolute path such as /concur/list/v1.2/fetch, without a query')
      .refine((p) => !isOwnPath(p), 'path is one the connector serves itself')
      .default(DEFAULT_FETCH_LIST_PATH),
    lists: z.array(ListMapping).min(1, 'map at least one list'),
  })
  .strict();
export type FetchListConfig = z.infer<typeof FetchListConfig>;

/** Only the path, read from a registered company's raw fields configuration (checked whole when it was set). */
export function configuredPath(fields: unknown): string {
  const fetchList = (fields as { fetchList?: { path?: unknown } } | undefined)?.fetchList;
  const path = FetchListConfig.shape.path.safeParse(fetchList?.path);
  return path.success ? path.data : DEFAULT_FETCH_LIST_PATH;
}

/** A list's id as List v4 writes it or as Expense shows it: compared in lower case, without hyphens (§6). */
export const normalListId = (id: string) => id.replace(/-/g, '').toLowerCase();
/** A list's name as compared: without regard to case or repeated spaces. */
export const normalListName = (name: string) => name.trim().replace(/\s+/g, ' ').toLowerCase();

/**
 * The checks that need the rest of the fields configuration: each list reads a catalog source, and no two lists
 * answer to the same name or id. For FieldsFile's superRefine.
 */
export function checkFetchList(
  fetchList: FetchListConfig | undefined,
  sources: Record<string, { type: string }>,
  ctx: z.RefinementCtx,
): void {
  const names = new Set<string>();
  fetchList?.lists.forEach((list, i) => {
    const path = ['fetchList', 'lists', i];
    const read = [
      [[...path, 'source'], list.source],
      ...Object.entries(list.levels).flatMap(([n, level]) =>
        level.source ? [[[...path, 'levels', n, 'source'], level.source] as const] : [],
      ),
    ] as const;
    for (const [at, source] of read) {
      const type = sources[source]?.type;
      if (type !== 'catalog')
        ctx.addIssue({
          code: 'custom',
          path: [...at],
          message: type
            ? `names the source "${source}", a ${type} source; a Concur list is answered from a catalog source`
            : `names the source "${source}", which is not defined under sources`,
        });
    }
    // Levels that share a catalog tell their rows apart by which parent column is filled in.
    const columns = new Map<string, string>();
    for (const [n, level] of Object.entries(list.levels)) {
      const shared = `${level.source ?? list.source}|${level.parent}`;
      if (columns.has(shared))
        ctx.addIssue({
          code: 'custom',
          path: [...path, 'levels', n, 'parent'],
          message: `levels ${columns.get(shared)} and ${n} read the same catalog: each needs a parent column of its own`,
        });
      columns.set(shared, n);
    }
    for (const key of [list.name && `name ${normalListName(list.name)}`, list.id && `id ${normalListId(list.id)}`]) {
      if (!key) continue;
      if (names.has(key))
        ctx.addIssue({ code: 'custom', path, message: `another list already has the ${key.replace(' ', ' "')}"` });
      names.add(key);
    }
  });
}
