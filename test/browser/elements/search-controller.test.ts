// The search behaviour without rendering: pages after page one, recent picks listed once, and a superseded request
// whose answer never lands.
import '../setup.ts';
import { expect } from '@open-wc/testing';
import type { ReactiveController } from 'lit';
import { TaskStatus } from '@lit/task';
import type { SearchItem, SearchResponse } from '../../../src/contract/api.ts';
import { SearchController, type SearchFunction, type SearchHost } from '../../../src/elements/search-controller.ts';

const item = (code: string): SearchItem => ({ code, label: `Item ${code}` });

/** One call the fake search received, with the way to answer it. */
interface Call {
  query: string;
  offset: number | undefined;
  signal: AbortSignal;
  /** Answers with these results (the query and offset are the call's). */
  answer: (r: Pick<SearchResponse, 'items' | 'total' | 'recent'>) => void;
}

/** A host that updates when told to, and a search whose every call waits until the test answers it. */
function setUp() {
  const calls: Call[] = [];
  const search: SearchFunction = (query, signal, offset) =>
    new Promise((resolve) =>
      calls.push({ query, offset, signal, answer: (r) => resolve({ query, offset: offset ?? 0, ...r }) }),
    );
  const controllers: ReactiveController[] = [];
  const host: SearchHost = {
    search,
    debounce: 0,
    addController: (c) => controllers.push(c),
    removeController: () => undefined,
    requestUpdate: () => undefined,
    updateComplete: Promise.resolve(true),
  };
  let firstPages = 0;
  const results = new SearchController(host, () => firstPages++);
  const update = () => controllers.forEach((c) => c.hostUpdate?.());
  return { calls, results, update, firstPages: () => firstPages };
}

const settle = () => new Promise((r) => setTimeout(r));

describe('SearchController', () => {
  it('adds each next page after page one, listing a recent pick once', async () => {
    const { calls, results, update, firstPages } = setUp();
    update();
    await settle();
    calls[0]!.answer({ items: [item('A'), item('B')], total: 4, recent: [item('C')] });
    await settle();
    expect(results.status).to.equal(TaskStatus.COMPLETE);
    expect(firstPages()).to.equal(1);
    void results.loadMore();
    void results.loadMore(); // one next page at a time
    expect(calls.map((c) => c.offset)).to.deep.equal([0, 2]);
    calls[1]!.answer({ items: [item('C'), item('D')], total: 4 });
    await settle();
    expect(results.items.map((i) => i.code)).to.deep.equal(['C', 'A', 'B', 'D']);
    expect(results.recentCount).to.equal(1);
    expect(results.setSize).to.equal(4);
    void results.loadMore();
    expect(calls, 'all four results are loaded').to.have.length(2);
  });

  it('aborts the request a new query supersedes and never shows its answer', async () => {
    const { calls, results, update } = setUp();
    update();
    await settle();
    calls[0]!.answer({ items: [item('A')], total: 2 });
    await settle();
    void results.loadMore();
    results.setQuery('b');
    expect(calls[1]!.signal.aborted, 'the next page of the old query').to.equal(true);
    update();
    expect(results.status).to.equal(TaskStatus.PENDING);
    await settle();
    calls[1]!.answer({ items: [item('OLD')], total: 2 });
    calls[2]!.answer({ items: [item('B')], total: 1 });
    await settle();
    expect(calls[2]!.query).to.equal('b');
    expect(results.items.map((i) => i.code)).to.deep.equal(['B']);
  });
});

describe('SearchController, before its search arrives', () => {
  it('searches a query typed before the search could run at once, without the typing pause', async () => {
    const calls: string[] = [];
    const controllers: ReactiveController[] = [];
    const host: { -readonly [K in keyof SearchHost]: SearchHost[K] } = {
      search: undefined,
      // A pause far longer than this test may take: a query searched after it would time the test out.
      debounce: 60_000,
      addController: (c) => controllers.push(c),
      removeController: () => undefined,
      requestUpdate: () => undefined,
      updateComplete: Promise.resolve(true),
    };
    const results = new SearchController(host, () => undefined);
    const update = () => controllers.forEach((c) => c.hostUpdate?.());
    update();
    results.setQuery('frank');
    update();
    await settle();
    expect(calls, 'nothing to search with yet').to.deep.equal([]);
    host.search = (query) => {
      calls.push(query);
      return Promise.resolve({ query, offset: 0, items: [item('F')], total: 1 });
    };
    update();
    await settle();
    expect(calls).to.deep.equal(['frank']);
    expect(results.items.map((i) => i.code)).to.deep.equal(['F']);

    // Typing on, once the search is there, waits for the pause as before.
    results.setQuery('frankf');
    update();
    await settle();
    expect(calls).to.deep.equal(['frank']);
  });
});
