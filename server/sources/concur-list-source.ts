// Concur List v4 as a data source: a configured list searched by code or value (shortCodeOrValue), and connected
// lists level by level (an item's children).
import { z } from 'zod';
import type { SearchItem } from '../../src/contract/api.ts';
import { ConcurHttpError, type ConcurClient } from '../concur/client.ts';
import type { DataSource, SearchContext, SourcePage, SourceQuery } from './source.ts';
import { SourceUnavailable } from '../errors.ts';

export const ConcurListSourceConfig = z
  .object({
    type: z.literal('concur-list'),
    title: z.string().default('the list'),
    listId: z.string().min(1),
  })
  .strict();
export type ConcurListSourceConfig = z.infer<typeof ConcurListSourceConfig>;

const ListItemJson = z.looseObject({
  id: z.string(),
  code: z.string().nullish(),
  shortCode: z.string().nullish(),
  value: z.string().nullish(),
  isDeleted: z.boolean().nullish(),
  lists: z.array(z.looseObject({ id: z.string().nullish(), hasChildren: z.boolean().nullish() })).nullish(),
});
const PageJson = z.looseObject({
  content: z.array(ListItemJson).nullish(),
  page: z.looseObject({ size: z.number().nullish(), totalElements: z.number().nullish() }).nullish(),
});

/** List v4 pages are fixed at 100 items (protocol sheet §6). */
const CONCUR_PAGE = 100;

export class ConcurListSource implements DataSource {
  readonly title: string;

  private readonly config: ConcurListSourceConfig;
  private readonly client: ConcurClient;
  constructor(config: ConcurListSourceConfig, client: ConcurClient) {
    this.config = config;
    this.client = client;
    this.title = config.title;
  }

  #item(raw: z.infer<typeof ListItemJson>): SearchItem {
    const hasChildren =
      raw.lists?.some((l) => (l.id ?? this.config.listId) === this.config.listId && l.hasChildren) ?? false;
    return {
      // List fields store the list item's id (protocol sheet §5): that is what is written.
      code: raw.id,
      display: raw.shortCode ?? raw.code ?? undefined,
      label: raw.value ?? raw.shortCode ?? raw.id,
      ...(raw.code && raw.code !== raw.shortCode ? { detail: raw.code } : {}),
      ...(raw.isDeleted ? { inactive: 'removed from the list' } : {}),
      ...(hasChildren ? { hasChildren: true } : {}),
    };
  }

  async search(q: SourceQuery, ctx: SearchContext, signal?: AbortSignal): Promise<SourcePage> {
    if (!ctx.withConcurToken)
      throw new SourceUnavailable('This list can only be searched from a launch that carries a Concur sign-in.');
    const page = Math.floor(q.offset / CONCUR_PAGE) + 1;
    const json = await ctx.withConcurToken(async (token, base) => {
      const list = `${base}/list/v4/lists/${encodeURIComponent(this.config.listId)}`;
      const url = new URL(q.parent ? `${list}/items/${encodeURIComponent(q.parent)}/children` : `${list}/children`);
      url.searchParams.set('page', String(page));
      if (q.query.trim()) url.searchParams.set('shortCodeOrValue', `cp:${q.query.trim()}`);
      return (await this.client.getJson('list.children', url, token, signal)).json;
    });
    const parsed = PageJson.safeParse(json);
    if (!parsed.success)
      throw new SourceUnavailable(`Concur sent ${this.title} in a form this connector cannot read. Please try again.`);
    const items = (parsed.data.content ?? []).map((i) => this.#item(i));
    const start = q.offset % CONCUR_PAGE;
    return { items: items.slice(start, start + q.limit), total: parsed.data.page?.totalElements ?? items.length };
  }

  async lookup(code: string, ctx: SearchContext, signal?: AbortSignal): Promise<SearchItem | undefined> {
    if (!ctx.withConcurToken) return undefined;
    const json = await ctx.withConcurToken(async (token, base) => {
      const url = new URL(`${base}/list/v4/items/${encodeURIComponent(code)}`);
      // Not found means not in the list; any other failure is an outage, reported as such.
      return (
        await this.client.getJson('list.item', url, token, signal).catch((e: unknown) => {
          if (e instanceof ConcurHttpError && e.upstreamStatus === 404) return { json: null };
          throw e;
        })
      ).json;
    });
    const parsed = ListItemJson.safeParse(json);
    // Only an item of this field's list counts, and only one without a further level (the value is the leaf).
    if (!parsed.success || !(parsed.data.lists ?? []).some((l) => l.id === this.config.listId)) return undefined;
    const item = this.#item(parsed.data);
    return item.hasChildren ? { ...item, inactive: 'choose an entry on its next level' } : item;
  }
}
