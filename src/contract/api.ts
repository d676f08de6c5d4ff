// Shapes that cross the boundary between the popup and the companion server's /api.
import * as z from 'zod/mini';

/** Concur accepts at most 48 characters in a customData value. */
export const CONCUR_VALUE_MAX = 48;

export const CatalogItem = z.object({
  /** The value written to Concur. */
  code: z.string().check(z.minLength(1), z.maxLength(CONCUR_VALUE_MAX)),
  label: z.string(),
  detail: z.optional(z.string()),
  /** Shown instead of the code when the code is an opaque id (a Concur list item's UUID). */
  display: z.optional(z.string()),
});
export type CatalogItem = z.infer<typeof CatalogItem>;

/** Character ranges [start, end) of a field that matched the query. */
const Ranges = z.array(z.tuple([z.number(), z.number()]));

/** A search result: the item, what matched, and why it cannot be chosen when it is inactive. */
export const SearchItem = z.extend(CatalogItem, {
  highlight: z.optional(z.object({ code: z.optional(Ranges), label: z.optional(Ranges), detail: z.optional(Ranges) })),
  /** Shown greyed with this reason, and not selectable. */
  inactive: z.optional(z.string()),
  /** A connected list's item with a next level: choosing it opens that level. */
  hasChildren: z.optional(z.boolean()),
});
export type SearchItem = z.infer<typeof SearchItem>;

export const SearchResponse = z.object({
  query: z.string(),
  items: z.array(SearchItem),
  /** How many results there are in all; `items` is one page of them, starting at `offset`. */
  total: z.number(),
  offset: z.number(),
  /** The user's recent picks for this field, offered first when nothing is typed. */
  recent: z.optional(z.array(SearchItem)),
});
export type SearchResponse = z.infer<typeof SearchResponse>;

export const Money = z.object({ value: z.number(), currency: z.string() });
export type Money = z.infer<typeof Money>;

/** What the user is working on, read from Concur through the launch's item_url. */
export const ItemSummary = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('ENTRY'), expenseType: z.string(), amount: z.nullable(Money), date: z.nullable(z.string()) }),
  z.object({ kind: z.literal('HEADER'), reportName: z.string(), total: z.nullable(Money) }),
  z.object({ kind: z.literal('ALLOCATION'), percentage: z.nullable(z.number()), amount: z.nullable(Money) }),
]);
export type ItemSummary = z.infer<typeof ItemSummary>;

export const SessionContext = z.object({
  item: ItemSummary,
  /** The report the item belongs to, and whose it is (a delegate may be working on someone else's). */
  report: z.object({
    name: z.nullable(z.string()),
    submitted: z.boolean(),
    ownerEmployeeId: z.nullable(z.string()),
    onBehalfOfOwner: z.boolean(),
  }),
  field: z.object({ id: z.string() }),
  currentValue: z.nullable(z.string()),
  /** The catalog item matching the current value, when there is one. */
  currentItem: z.nullable(CatalogItem),
  languageCode: z.string(),
  isMobile: z.boolean(),
});
export type SessionContext = z.infer<typeof SessionContext>;

export const CommitRequest = z.object({
  code: z.string().check(z.minLength(1), z.maxLength(CONCUR_VALUE_MAX)),
});
export type CommitRequest = z.infer<typeof CommitRequest>;

export const CommitResponse = z.object({
  field: z.string(),
  value: z.string(),
  correlationId: z.string(),
});
export type CommitResponse = z.infer<typeof CommitResponse>;

/** The session handed to the popup once, right after the launch. */
export const SessionClaim = z.object({ token: z.string().check(z.minLength(20)) });
export type SessionClaim = z.infer<typeof SessionClaim>;

/** Every error the server answers with when the client asks for JSON. */
export const ErrorBody = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    correlationId: z.optional(z.string()),
  }),
});
export type ErrorBody = z.infer<typeof ErrorBody>;
