// What the popup's use cases need from the app, and how long each kind of call to Concur may take.
import type { AppDeps } from '../env.ts';
import type { ItemReads } from './item-reads.ts';

/** The collaborators the popup's reads, searches and writes use: nothing else of the app reaches them. */
export type PopupDeps = Pick<AppDeps, 'store' | 'items' | 'sources' | 'company' | 'metrics' | 'now' | 'config'> & {
  /** The reads launches started on this instance, which the first context and searches take. */
  itemReads?: ItemReads;
};

/**
 * Every read and write to Concur ends within these, retries included, so the server always answers before the
 * popup stops waiting (50 s for a read, 60 s for a write): the user never gives up on a write still in flight.
 */
export const READ_DEADLINE_MS = 40_000;
export const WRITE_DEADLINE_MS = 45_000;
/** A source's lookup of one code (the current value, a pick to check). */
export const LOOKUP_DEADLINE_MS = 10_000;
