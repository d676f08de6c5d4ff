// One search of a field, for the popup and for embedding pages: which source answers it (the field's own, or the named
// search step of a form of several steps), how long it may take, and the answer's shape.
import { AppError, FieldNotConfigured } from '../errors.ts';
import type { SearchRequest, SearchResponse } from '../../src/contract/api.ts';
import type { FieldSources } from '../fields/fields.ts';
import type { DataSource, SearchContext } from './source.ts';

/** The longest a search may take, the source's own calls included. */
export const SEARCH_DEADLINE_MS = 15_000;

/** A search that names no step of a form of several steps, or a step it does not have. */
export class NoSearchStep extends AppError {
  readonly status = 400;
  readonly code = 'invalid_request';
  override readonly title = 'This search has no step';
}

/** The source a search of `fieldId` (and `step`, in a form of several steps) reads. */
export function searchSource(sources: FieldSources, fieldId: string, step?: string): DataSource {
  const flow = sources.flowFor(fieldId);
  const source = step !== undefined ? sources.forStep(fieldId, step) : flow ? undefined : sources.forField(fieldId);
  if (source) return source;
  if (step === undefined && !flow) throw FieldNotConfigured.removed(fieldId);
  throw new NoSearchStep(
    step === undefined
      ? `The field ${fieldId} is filled in with a form of several steps: name the search step.`
      : `The field ${fieldId} has no search step named ${step}.`,
  );
}

/** A search of one field under way: the source that answers it, in which context, until when. */
export interface FieldSearch {
  source: DataSource;
  ctx: SearchContext;
  /** Aborts at the deadline: the source's calls, and any lookups made for the same answer. */
  signal: AbortSignal;
}

/** Starts a search of `fieldId` as `request` asks (its step, and the code the step is narrowed by), in `ctx`. */
export function fieldSearch(
  sources: FieldSources,
  fieldId: string,
  { step, within }: SearchRequest,
  ctx: SearchContext,
): FieldSearch {
  return {
    source: searchSource(sources, fieldId, step),
    ctx: within ? { ...ctx, within } : ctx,
    signal: AbortSignal.timeout(SEARCH_DEADLINE_MS),
  };
}

/** One page of a source's answer to a search, in the shape the browser reads. */
export async function searchPage(
  { source, ctx, signal }: FieldSearch,
  { q, offset, limit, parent }: SearchRequest,
): Promise<SearchResponse> {
  const page = await source.search({ query: q, offset, limit, parent }, ctx, signal);
  return { query: q, offset, items: page.items, total: page.total };
}
