// The catalog file as a data source, with the context filters configured for it.
import type { SearchItem } from '../../src/contract/api.js';
import type { CatalogLike } from './catalog.js';
import { judge, type FilterRule } from './context-filter.js';
import type { DataSource, SearchContext, SourcePage, SourceQuery } from './source.js';

export class CatalogSource implements DataSource {
  constructor(
    private readonly catalog: CatalogLike,
    private readonly filters: readonly FilterRule[] = [],
    readonly title = 'the catalog',
  ) {}

  async search(q: SourceQuery, ctx: SearchContext): Promise<SourcePage> {
    const accept = this.filters.length ? (row: Parameters<typeof judge>[0]) => !judge(row, this.filters, ctx).hidden : undefined;
    const r = this.catalog.search(q.query, { offset: q.offset, limit: q.limit, accept });
    return { items: r.items.map((i) => this.#mark(i, ctx)), total: r.total };
  }

  async lookup(code: string, ctx: SearchContext): Promise<SearchItem | undefined> {
    const row = this.catalog.row(code);
    if (!row || (this.filters.length && judge(row, this.filters, ctx).hidden)) return undefined;
    return this.#mark(this.catalog.byCode(code)!, ctx);
  }

  #mark(item: SearchItem, ctx: SearchContext): SearchItem {
    if (!this.filters.length) return item;
    const inactive = judge(this.catalog.row(item.code)!, this.filters, ctx).inactive;
    return inactive ? { ...item, inactive } : item;
  }
}
