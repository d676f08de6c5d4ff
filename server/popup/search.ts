// The popup's search: the session's field (or wizard step), in the launch's context, with recent picks first.
import type { Session } from '../sessions/session.ts';
import { SEARCH_DEADLINE_MS, searchPage, searchSource, type SearchRequest } from '../sources/search.ts';
import type { SearchResponse } from '../../src/contract/api.ts';
import type { PopupDeps } from './deps.ts';
import { recentKey, searchContext, withFacts } from './facts.ts';

/** One page of results; with nothing typed, the user's recent picks for this field come first (those still offered). */
export async function searchForSession(
  deps: PopupDeps,
  key: string,
  session: Session,
  { step, within, ...request }: SearchRequest & { step?: string; within?: string },
): Promise<SearchResponse> {
  const s = await withFacts(deps, key, session);
  const ctx = { ...searchContext(deps, key, s), ...(within ? { within } : {}) };
  const source = searchSource(deps.sources, s.fieldId, step);
  const signal = AbortSignal.timeout(SEARCH_DEADLINE_MS);
  const result = await searchPage(source, request, ctx, signal);
  const { q, offset, parent } = request;
  if (!q.trim() && offset === 0 && !parent) {
    const codes = await deps.store.recent(recentKey(s, step));
    const found = await Promise.all(codes.map((code) => source.lookup(code, ctx, signal).catch(() => undefined)));
    result.recent = found.filter((i) => i !== undefined);
  }
  return result;
}
