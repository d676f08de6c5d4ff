// Shapes that cross the boundary between the popup and the companion server's /api.
import * as z from 'zod/mini';
import { SERVER_ERROR_CODES } from './error-codes.ts';

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

/**
 * A search, as the popup's `GET /api/search` and the embedding pages' `GET /embed/v1/fields/{field}/search` read
 * their query string: the text typed, one page of results, and where in a connected list or a wizard it searches.
 */
export const SearchRequest = z.object({
  q: z._default(z.string().check(z.maxLength(200, 'q is longer than 200 characters')), ''),
  limit: z._default(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(100)), 20),
  offset: z._default(z.coerce.number().check(z.int(), z.minimum(0), z.maximum(1_000_000)), 0),
  /** A connected list's item whose next level to list. */
  parent: z.optional(z.string().check(z.maxLength(100))),
  /** In a wizard: the search step, and the code picked in the step it is narrowed by. */
  step: z.optional(z.string().check(z.maxLength(64))),
  within: z.optional(z.string().check(z.maxLength(100))),
});
export type SearchRequest = z.output<typeof SearchRequest>;

/** A language code as an embedding page names it (en, fr-CA); anything else reads as en. */
export const LanguageCode = z._default(
  z.catch(z.string().check(z.regex(/^[a-z]{2,3}([-_][A-Za-z]{2,4})?$/)), 'en'),
  'en',
);

/** An embedding page's search: the popup's, and the language the results are labelled in. */
export const EmbedSearchRequest = z.extend(SearchRequest, { lang: LanguageCode });
export type EmbedSearchRequest = z.output<typeof EmbedSearchRequest>;

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

/** Which Concur product a launch came from: an expense report (Expense) or a travel request (Concur Request). */
export const Product = z.enum(['expense', 'request']);
export type Product = z.infer<typeof Product>;

/** What the user is working on, read from Concur through the launch's item_url. */
export const ItemSummary = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('ENTRY'),
    expenseType: z.string(),
    amount: z.nullable(Money),
    date: z.nullable(z.string()),
  }),
  z.object({ kind: z.literal('HEADER'), reportName: z.string(), total: z.nullable(Money) }),
  z.object({ kind: z.literal('ALLOCATION'), percentage: z.nullable(z.number()), amount: z.nullable(Money) }),
  /** A travel request's header (Concur Request): its name and dates (YYYY-MM-DD). */
  z.object({
    kind: z.literal('REQUEST'),
    requestName: z.string(),
    startDate: z.nullable(z.string()),
    endDate: z.nullable(z.string()),
  }),
]);
export type ItemSummary = z.infer<typeof ItemSummary>;

/** A condition on an earlier step's answer: the step is shown only when it holds. */
export const StepCondition = z.object({
  step: z.string(),
  /** The answer (a search step's code, a choice's value, the text typed) is one of these... */
  equals: z.optional(z.array(z.string())),
  /** ...is none of these... */
  notEquals: z.optional(z.array(z.string())),
  /** ...or the step was (true) or was not (false) answered. */
  answered: z.optional(z.boolean()),
});
export type StepCondition = z.infer<typeof StepCondition>;

const stepBase = {
  /** Unique within the flow; answers are keyed by it. */
  id: z.string(),
  /** In the user's language. */
  label: z.string(),
  help: z.optional(z.string()),
  when: z.optional(StepCondition),
};
const answerBase = {
  ...stepBase,
  required: z.boolean(),
  /** The custom field the answer is written to; absent when the answer only steers later steps. */
  writeTo: z.optional(z.string()),
  /** What is written, e.g. {code} or {code} {label} for a search, {value} for the others. */
  template: z.string(),
};

/** One step of a wizard, as the popup receives it (labels already in the user's language). */
export const FlowStep = z.discriminatedUnion('kind', [
  z.object({
    ...answerBase,
    kind: z.literal('search'),
    /** An earlier search step whose pick narrows this one (tasks within the chosen project). */
    within: z.optional(z.string()),
  }),
  z.object({
    ...answerBase,
    kind: z.literal('choice'),
    options: z.array(z.object({ value: z.string(), label: z.string() })),
  }),
  z.object({
    ...answerBase,
    kind: z.literal('text'),
    minLength: z.optional(z.number()),
    maxLength: z.number(),
    /** A regular expression the whole answer must match, and a sentence telling the user what it wants. */
    pattern: z.optional(z.string()),
    patternHint: z.optional(z.string()),
  }),
  z.object({
    ...answerBase,
    kind: z.literal('number'),
    min: z.optional(z.number()),
    max: z.optional(z.number()),
    decimals: z.number(),
  }),
  /** Dates are answered and written as YYYY-MM-DD. */
  z.object({ ...answerBase, kind: z.literal('date'), min: z.optional(z.string()), max: z.optional(z.string()) }),
  z.object({ ...stepBase, kind: z.literal('review') }),
]);
export type FlowStep = z.infer<typeof FlowStep>;
export type AnswerStep = Exclude<FlowStep, { kind: 'review' }>;

/** A wizard: ordered steps whose answers are written together, in one update. */
export const Flow = z.object({ title: z.string(), steps: z.array(FlowStep) });
export type Flow = z.infer<typeof Flow>;

export const SessionContext = z.object({
  /** Absent: expense (a server from before Concur Request launches). */
  product: z.optional(Product),
  item: ItemSummary,
  /**
   * The report the item belongs to (for a Request launch, the travel request), and whose it is (a delegate may be
   * working on someone else's).
   */
  report: z.object({
    name: z.nullable(z.string()),
    submitted: z.boolean(),
    paid: z.optional(z.boolean()),
    ownerEmployeeId: z.nullable(z.string()),
    onBehalfOfOwner: z.boolean(),
    /** A travel request's dates (YYYY-MM-DD); reports have none. */
    startDate: z.optional(z.nullable(z.string())),
    endDate: z.optional(z.nullable(z.string())),
  }),
  /**
   * The launched field, with its rules on the item's form where Concur gives them: RW (the user may change it),
   * RO (read-only for this user) or HD (hidden); and how many characters it takes.
   */
  field: z.object({
    id: z.string(),
    access: z.optional(z.enum(['RW', 'RO', 'HD'])),
    maxLength: z.optional(z.number()),
  }),
  /**
   * Why nothing can be saved from this window, known before the user picks: report_paid, field_not_writable,
   * company_not_connected. The popup says so instead of offering a search.
   */
  blocked: z.optional(
    z.object({
      code: z.enum(['company_not_connected', 'report_paid', 'field_not_writable']),
      message: z.string(),
      field: z.optional(z.string()),
    }),
  ),
  currentValue: z.nullable(z.string()),
  /** The catalog item matching the current value, when there is one. */
  currentItem: z.nullable(CatalogItem),
  languageCode: z.string(),
  isMobile: z.boolean(),
  /** The field's wizard; absent for a field with a single search. */
  flow: z.optional(Flow),
  /** The wizard's answers as they stand in Concur (from the fields it writes), keyed by step id. */
  prefill: z.optional(z.record(z.string(), z.union([z.string(), SearchItem]))),
  /** The current values of the fields the wizard writes, keyed by field id. */
  fieldValues: z.optional(z.record(z.string(), z.nullable(z.string()))),
});
export type SessionContext = z.infer<typeof SessionContext>;

export const CommitRequest = z.union([
  /** A single search's pick. */
  z.object({ code: z.string().check(z.minLength(1), z.maxLength(CONCUR_VALUE_MAX)) }),
  /** A wizard's answers by step id: a search step's code, a choice's value, the text, number or date typed. */
  z.object({ answers: z.record(z.string().check(z.maxLength(64)), z.string().check(z.maxLength(1000))) }),
]);
export type CommitRequest = z.infer<typeof CommitRequest>;

export const FieldWrite = z.object({ field: z.string(), value: z.string() });
export type FieldWrite = z.infer<typeof FieldWrite>;

export const CommitResponse = z.object({
  /** The launched field and the value it now holds (for a wizard, the first field written). */
  field: z.string(),
  value: z.string(),
  /** Every field written in the one update. */
  written: z.array(FieldWrite),
  correlationId: z.string(),
});
export type CommitResponse = z.infer<typeof CommitResponse>;

/** A field as an embedding page sees it: its name and, for a wizard, its flow, in the asked language. */
export const EmbedField = z.object({
  field: z.string(),
  title: z.string(),
  languageCode: z.string(),
  flow: z.optional(Flow),
});
export type EmbedField = z.infer<typeof EmbedField>;

/** The session handed to the popup once, right after the launch. */
export const SessionClaim = z.object({ token: z.string().check(z.minLength(20)) });
export type SessionClaim = z.infer<typeof SessionClaim>;

/** Every error the server answers with when the client asks for JSON. */
export const ErrorBody = z.object({
  error: z.object({
    /** A code this client does not know (a newer server's) is read as internal_error; the message still says it. */
    code: z.catch(z.enum(SERVER_ERROR_CODES), 'internal_error'),
    message: z.string(),
    correlationId: z.optional(z.string()),
    /** For flow_answer_invalid: the wizard step whose answer was refused, and why (see Problem in ./problem.ts). */
    step: z.optional(z.string()),
    problem: z.optional(z.looseObject({ kind: z.string() })),
  }),
});
export type ErrorBody = z.infer<typeof ErrorBody>;
