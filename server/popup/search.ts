// The popup's search: the session's field (or wizard step), in the launch's context, with recent picks first.
import type { Session } from '../sessions/session.ts';
import { fieldSearch, searchPage, searchSource } from '../sources/search.ts';
import type { SearchRequest, SearchResponse } from '../../src/contract/api.ts';
import type { PopupDeps } from './deps.ts';
import { recentKey, searchContext, withFacts } from './facts.ts';

/** One page of results; with nothing typed, the user's recent picks for this field come first (those still offered). */
export async function searchForSession(
  deps: PopupDeps,
  key: string,
  session: Session,
  request: SearchRequest,
): Promise<SearchResponse> {
  // Only a source that reads the item's date or type waits for them (the launch's read may still be under way).
  const s = searchSource(deps.sources, session.fieldId, request.step).needsItemFacts
    ? await withFacts(deps, key, session, 'search')
    : session;
  const search = fieldSearch(deps.sources, s.fieldId, request, searchContext(deps, key, s));
  const result = await searchPage(search, request);
  const { q, offset, parent, step } = request;
  if (!q.trim() && offset === 0 && !parent) {
    const { source, ctx, signal } = search;
    const codes = await deps.store.recent(recentKey(s, step));
    const found = await Promise.all(codes.map((code) => source.lookup(code, ctx, signal).catch(() => undefined)));
    result.recent = found.filter((i) => i !== undefined);
  }
  return result;
}
