// The one interface every search source implements, and the launch context a search runs in.
import type { SearchItem } from '../../src/contract/api.ts';
import type { ConcurToken } from '../concur/client.ts';

/** What is known about the launch when searching: who, for which field, and about which item. */
export interface SearchContext {
  fieldId: string;
  companyDomain: string;
  loggedInUserId: string;
  reportOwnerUserId: string;
  employeeId: string;
  /** The expense's transaction date (YYYY-MM-DD) and type, once the item has been read. */
  date?: string;
  expenseType?: string;
  languageCode: string;
  /**
   * No Concur launch behind this search (an embedding page): a context filter whose value is unknown hides the
   * row instead of not applying, so a rule like "only my projects" never shows everyone's.
   */
  strictContext?: boolean;
  /** In a wizard, the code picked in the step this search is narrowed by (its `within` step). */
  within?: string;
  /** Calls Concur with the session's token (v4 launches); absent when there is none. */
  withConcurToken?: <T>(call: (token: ConcurToken, base: string) => Promise<T>) => Promise<T>;
}

export interface SourceQuery {
  query: string;
  offset: number;
  limit: number;
  /** For connected lists: the item whose children to list. */
  parent?: string;
}

export interface SourcePage {
  items: SearchItem[];
  total: number;
}

export interface DataSource {
  /** A name for messages ("the project list"). */
  readonly title: string;
  /** True when the source's requests carry who the user is (employee id, user id): it needs a Concur launch. */
  readonly needsLaunchContext?: boolean;
  /** True when its answers depend on what is read of the item ({date}, {expenseType}), not only on the launch. */
  readonly needsItemFacts?: boolean;
  search(q: SourceQuery, context: SearchContext, signal?: AbortSignal): Promise<SourcePage>;
  /** The item a code stands for, to check a commit and show the current value; undefined when unknown. */
  lookup(code: string, context: SearchContext, signal?: AbortSignal): Promise<SearchItem | undefined>;
}

/** The context keys read from the item in Concur rather than from the launch. */
const ITEM_KEYS = /\{(?:date|expenseType)\}/;

/** True when any of these templates (a URL, a filter's value) names a key read from the item. */
export const namesItemFacts = (templates: readonly (string | undefined)[]) =>
  templates.some((t) => t !== undefined && ITEM_KEYS.test(t));
