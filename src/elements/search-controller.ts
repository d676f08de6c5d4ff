// The behaviour behind <leu-search>: the query and the connected-list level, the pages of results, the abort of a
// superseded request, and the user's recent picks listed once. No DOM: a host and its search function are all it needs.
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { TaskStatus, type StatusRenderer } from '@lit/task';
import type { SearchItem, SearchResponse } from '../contract/api.ts';

export type SearchFunction = (
  query: string,
  signal: AbortSignal,
  offset?: number,
  parent?: string,
) => Promise<SearchResponse>;

/** What the controller reads from its element: the search to run and the pause after a keystroke. */
export interface SearchHost extends ReactiveControllerHost {
  readonly search?: SearchFunction | undefined;
  readonly debounce: number;
}

const wait = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (ms <= 0) return resolve();
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        // A superseded request is aborted without a reason, so this is the default one: an AbortError.
        reject(signal.reason as DOMException);
      },
      { once: true },
    );
  });

/**
 * One request at a time: page one for the current query and level, or the next page of it. A new query or level
 * aborts whatever is on its way, so an answer for an older one never lands. Page one goes through the states of a
 * `@lit/task` Task (initial, pending, complete, error) and renders them the same way; a next page leaves them as they
 * are (a failed one is asked again on the next scroll). Not a Task itself: a Task aborts only a run that is still
 * pending, and so could not abort the next pages of a query it has finished with.
 */
export class SearchController implements ReactiveController {
  /** Every page loaded so far for the current query and level, recent picks first. */
  items: SearchItem[] = [];
  /** How many of `items` are the user's recent picks. */
  recentCount = 0;
  /** The server's count of results for the current query and level. */
  total = 0;
  status: TaskStatus = TaskStatus.INITIAL;
  #query = '';
  /** The connected-list levels opened so far (empty at the top level). */
  #parents: SearchItem[] = [];
  #value?: SearchResponse | undefined;
  #error: unknown;
  /** The request on its way, if any. */
  #request?: AbortController | undefined;
  /** The search page one was asked of; null once the query or level changes, until page one is asked again. */
  #askedOf: SearchFunction | undefined | null = null;
  /** Server results received for the current query and level (recent picks not counted). */
  #serverLoaded = 0;
  /** Results that were recent picks too (listed once, as recent). */
  #dupes = 0;

  /** `onFirstPage` runs when page one's results are in, before the host renders them. */
  constructor(
    private readonly host: SearchHost,
    private readonly onFirstPage: () => void,
  ) {
    host.addController(this);
  }

  get query(): string {
    return this.#query;
  }

  get parents(): readonly SearchItem[] {
    return this.#parents;
  }

  /** Page one's answer (undefined while there is none, or after a failure). */
  get value(): SearchResponse | undefined {
    return this.#value;
  }

  /** The number of options a screen reader announces: the recent picks and the results, each once. */
  get setSize(): number {
    return this.recentCount + this.total - this.#dupes;
  }

  /** Like a Task's arguments: a new query, level or search function asks for page one again. */
  hostUpdate() {
    if (this.#askedOf !== this.host.search) void this.#firstPage();
  }

  /** A next page is abandoned with the box (scrolling again asks for it); page one finishes, for a box put back. */
  hostDisconnected() {
    if (this.status !== TaskStatus.PENDING) this.#supersede();
  }

  /** A new query typed: searched after the host's pause. */
  setQuery(query: string) {
    this.#go(query, this.#parents);
  }

  /** Opens the level under a connected list's item, with an empty query. */
  open(item: SearchItem) {
    this.#go('', [...this.#parents, item]);
  }

  /** Back up one connected-list level, with an empty query. */
  up() {
    this.#go('', this.#parents.slice(0, -1));
  }

  /** Asks for page one again (after a failure). */
  retry() {
    void this.#firstPage();
  }

  /** Asks for the next page when there is one and nothing else is on its way. */
  async loadMore() {
    const search = this.#askedOf;
    if (this.#request || this.status !== TaskStatus.COMPLETE || this.#serverLoaded >= this.total || !search) return;
    const request = (this.#request = new AbortController());
    try {
      const page = await search(this.#query, request.signal, this.#serverLoaded, this.#parents.at(-1)?.code);
      if (!this.#settle(request)) return;
      this.#add(page);
      this.host.requestUpdate();
    } catch {
      // A failed next page leaves the loaded ones; scrolling again retries.
      this.#settle(request);
    }
  }

  /** Renders page one's state, as a Task's `render` does. */
  render(renderer: StatusRenderer<SearchResponse | undefined>): unknown {
    switch (this.status) {
      case TaskStatus.INITIAL:
        return renderer.initial?.();
      case TaskStatus.PENDING:
        return renderer.pending?.();
      case TaskStatus.COMPLETE:
        return renderer.complete?.(this.#value);
      default:
        return renderer.error?.(this.#error);
    }
  }

  /** A new query or level; as with a Task's arguments, the level counts by the item it is under. */
  #go(query: string, parents: SearchItem[]) {
    const same = query === this.#query && parents.at(-1) === this.#parents.at(-1);
    this.#query = query;
    this.#parents = parents;
    this.host.requestUpdate();
    if (same) return;
    this.#supersede();
    this.#askedOf = null;
  }

  /** Drops the request on its way: its answer, if it still comes, is for a query no longer wanted. */
  #supersede() {
    this.#request?.abort();
    this.#request = undefined;
  }

  /** Whether `request` is still the one wanted; if so, it is no longer on its way. */
  #settle(request: AbortController): boolean {
    if (this.#request !== request) return false;
    this.#request = undefined;
    return true;
  }

  async #firstPage() {
    const before = this.#askedOf;
    const search = (this.#askedOf = this.host.search);
    const query = this.#query;
    // A query typed before the search could run (the box shows while the popup loads) has waited long enough: it is
    // searched the moment the search arrives, without the typing pause.
    const waited = before === undefined && search !== undefined;
    const parent = this.#parents.at(-1)?.code;
    this.#supersede();
    const request = (this.#request = new AbortController());
    this.status = TaskStatus.PENDING;
    this.host.requestUpdate();
    try {
      if (search) await wait(query && !waited ? this.host.debounce : 0, request.signal);
      const page = await search?.(query, request.signal, 0, parent);
      if (!this.#settle(request)) return;
      [this.#value, this.#error, this.status] = [page, undefined, TaskStatus.COMPLETE];
      if (page) {
        this.#add(page, true);
        this.onFirstPage();
      }
    } catch (error) {
      if (!this.#settle(request)) return;
      [this.#value, this.#error, this.status] = [undefined, error, TaskStatus.ERROR];
    }
    this.host.requestUpdate();
  }

  /** A page's results after those loaded; page one starts over with the recent picks. Each recent pick is listed once. */
  #add(page: SearchResponse, first = false) {
    if (first) {
      this.items = page.recent ?? [];
      this.recentCount = this.items.length;
      this.total = page.total;
      this.#serverLoaded = this.#dupes = 0;
    }
    const recent = new Set(this.items.slice(0, this.recentCount).map((i) => i.code));
    const rest = page.items.filter((i) => !recent.has(i.code));
    this.#serverLoaded += page.items.length;
    this.#dupes += page.items.length - rest.length;
    this.items = [...this.items, ...rest];
  }
}
