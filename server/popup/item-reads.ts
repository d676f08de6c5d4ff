// The item a session names, read once while the popup's page loads: the launch starts the read as soon as it has
// the user's token, and the popup's first context and searches take it instead of each asking Concur again.
import { LRUCache } from 'lru-cache';
import type { ItemFacts, ItemView } from '../concur/expense.ts';

/** A read under way: a search's facts of the item come first, the whole view (with the form's rules) after. */
interface ItemRead {
  facts: Promise<ItemFacts>;
  /** Taken by the first context; a later one (a Retry, a reload) reads Concur anew. */
  view?: Promise<ItemView>;
}

/** Reads started by launches on this instance, by session key, for as long as a page takes to load and ask. */
export class ItemReads {
  readonly #reads = new LRUCache<string, ItemRead>({ max: 10_000, ttl: 60_000 });
  readonly #running = new Set<Promise<unknown>>();

  /**
   * Starts a session's read; `read` reports the facts as soon as it knows them, and when it does not, they are taken
   * from the view (`factsOf`) once it is in. A failed read is forgotten.
   */
  start(
    key: string,
    read: (onFacts: (facts: ItemFacts) => void) => Promise<ItemView>,
    factsOf: (view: ItemView) => ItemFacts,
  ): Promise<ItemView> {
    let heard!: (facts: ItemFacts) => void;
    let failed!: (reason: unknown) => void;
    const facts = new Promise<ItemFacts>((resolve, reject) => ((heard = resolve), (failed = reject)));
    const view = read(heard);
    const settled = view.catch(() => undefined).finally(() => this.#running.delete(settled));
    this.#running.add(settled);
    view.then((v) => heard(factsOf(v))).catch((error: unknown) => failed(error));
    view.catch((error: unknown) => {
      failed(error);
      if (this.#reads.get(key)?.facts === facts) this.#reads.delete(key);
    });
    // Nobody may ask for them: neither a failure here nor one of the facts is left unhandled.
    facts.catch(() => undefined);
    this.#reads.set(key, { facts, view });
    return view;
  }

  /** Settles once every read under way has ended. */
  async idle(): Promise<void> {
    await Promise.allSettled([...this.#running]);
  }

  /** A search's facts of the item from the read under way, if one is. */
  facts(key: string): Promise<ItemFacts> | undefined {
    return this.#reads.get(key)?.facts;
  }

  /** The whole view from the read under way, left for the context to take. */
  view(key: string): Promise<ItemView> | undefined {
    return this.#reads.get(key)?.view;
  }

  /** The whole view from the read under way, once: the first context's. */
  take(key: string): Promise<ItemView> | undefined {
    const read = this.#reads.get(key);
    const view = read?.view;
    if (read) delete read.view;
    return view;
  }
}
