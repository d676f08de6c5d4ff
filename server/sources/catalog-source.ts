// The catalog file as a data source, with the context filters configured for it.
import type { SearchItem } from '../../src/contract/api.ts';
import { settle } from '../settle.ts';
import type { CatalogLike } from './catalog.ts';
import { compileFilters, compileHiding, judge, type FilterRule } from './context-filter.ts';
import { namesItemFacts, type DataSource, type SearchContext, type SourcePage, type SourceQuery } from './source.ts';

export class CatalogSource implements DataSource {
  private readonly catalog: CatalogLike;
  private readonly filters: readonly FilterRule[];
  readonly title: string;
  readonly needsItemFacts: boolean;
  constructor(catalog: CatalogLike, filters: readonly FilterRule[] = [], title = 'the catalog') {
    this.catalog = catalog;
    this.filters = filters;
    this.title = title;
    this.needsItemFacts = namesItemFacts(filters.flatMap((f) => [f.equals, f.onOrBefore, f.onOrAfter]));
  }

  search(q: SourceQuery, ctx: SearchContext): Promise<SourcePage> {
    return settle(() => {
      // The rules are filled in once per search; only rules that can hide a row are asked of every candidate row.
      const hides = compileHiding(this.filters, ctx);
      const r = this.catalog.search(q.query, {
        offset: q.offset,
        limit: q.limit,
        accept: hides && ((row) => !hides(row)),
      });
      const verdict = this.filters.length ? compileFilters(this.filters, ctx) : undefined;
      return { items: r.items.map((i) => this.#mark(i, verdict)), total: r.total };
    });
  }

  lookup(code: string, ctx: SearchContext): Promise<SearchItem | undefined> {
    return settle(() => {
      const row = this.catalog.row(code);
      if (!row || (this.filters.length && judge(row, this.filters, ctx).hidden)) return undefined;
      return this.#mark(
        this.catalog.byCode(code)!,
        this.filters.length ? compileFilters(this.filters, ctx) : undefined,
      );
    });
  }

  #mark(
    item: SearchItem,
    verdict: ((row: Parameters<typeof judge>[0]) => { inactive?: string }) | undefined,
  ): SearchItem {
    if (!verdict) return item;
    const inactive = verdict(this.catalog.row(item.code)!).inactive;
    return inactive ? { ...item, inactive } : item;
  }
}
