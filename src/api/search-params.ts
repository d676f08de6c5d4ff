// The query string of a search, one way for the popup's client and the embedding pages' (src/api/client.ts, embed.ts),
// in the shape the contract's SearchRequest reads.
import type { SearchRequest } from '../contract/api.ts';

export interface SearchScope {
  step: string;
  within?: string;
}

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
