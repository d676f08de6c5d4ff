// The query string of a search, one way for the popup's client and the embedding pages' (src/api/client.ts, embed.ts),
// in the shape the contract's SearchRequest reads.
import type { SearchRequest, SearchResponse } from '../contract/api.ts';

export interface SearchScope {
  step: string;
  within?: string;
}

/** A search as both clients offer it; `scope` names a wizard's search step, and the code picked in the step that narrows it. */
export type ScopedSearch = (
  query: string,
  signal?: AbortSignal,
  offset?: number,
  parent?: string,
  scope?: SearchScope,
) => Promise<SearchResponse>;

/** The query string of a search, as the popup's and the embedding pages' search routes read it. */
export function searchParams(
  query: string,
  limit: number,
  offset: number,
  parent?: string,
  scope?: SearchScope,
): Record<string, string> {
  const request: SearchRequest = {
    q: query,
    limit,
    offset,
    ...(parent ? { parent } : {}),
    ...(scope ? { step: scope.step, ...(scope.within ? { within: scope.within } : {}) } : {}),
  };
  return Object.fromEntries(Object.entries(request).map(([key, value]) => [key, String(value)]));
}
