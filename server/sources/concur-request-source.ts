// Concur Request v4 as a data source: the report owner's travel requests, so an expense can be linked to its trip.
import { LRUCache } from 'lru-cache';
import { z } from 'zod';
import type { SearchItem } from '../../src/contract/api.ts';
import type { ConcurClient } from '../concur/client.ts';
import { emptyAsNull } from '../concur/expense.ts';
import { SearchIndex } from './search-index.ts';
import type { DataSource, SearchContext, SourcePage, SourceQuery } from './source.ts';
import { SourceUnavailable } from '../errors.ts';

export const ConcurRequestSourceConfig = z
  .object({
    type: z.literal('concur-request'),
    title: z.string().default('your travel requests'),
    /** Request v4's view: ACTIVE (default), ALL, VALIDATED, … */
    view: z.enum(['ALL', 'ACTIVE', 'UNSUBMITTED', 'PENDING', 'VALIDATED', 'SUBMITTED', 'CLOSED']).default('ACTIVE'),
  })
  .strict();
export type ConcurRequestSourceConfig = z.infer<typeof ConcurRequestSourceConfig>;

const RequestJson = z.looseObject({
  requestId: z.string(),
  name: z.string().nullish(),
  startDate: z.string().nullish(),
  endDate: z.string().nullish(),
  mainDestination: z.looseObject({ city: z.string().nullish(), countryCode: z.string().nullish() }).nullish(),
  approvalStatus: z.looseObject({ code: z.string().nullish(), name: z.string().nullish() }).nullish(),
  canceledPostApproval: z.boolean().nullish(),
  closed: z.boolean().nullish(),
});
const RequestsJson = z.looseObject({ data: z.array(RequestJson).nullish() });

export class ConcurRequestSource implements DataSource {
  readonly title: string;
  /** The requests of one user for a minute: typing does not ask Concur on every keystroke. */
  readonly #cache = new LRUCache<string, SearchIndex<SearchItem>>({ max: 5000, ttl: 60_000 });

  private readonly config: ConcurRequestSourceConfig;
  private readonly client: ConcurClient;
  constructor(config: ConcurRequestSourceConfig, client: ConcurClient) {
    this.config = config;
    this.client = client;
    this.title = config.title;
  }

  async #requests(ctx: SearchContext, signal?: AbortSignal): Promise<SearchIndex<SearchItem>> {
    const owner = ctx.reportOwnerUserId;
    // Per caller and owner: what Concur lets one user see is not what it lets another see.
    const key = `${ctx.companyDomain}|${ctx.loggedInUserId}|${owner}|${this.config.view}`;
    const cached = this.#cache.get(key);
    if (cached) return cached;
    if (!ctx.withConcurToken) {
      throw new SourceUnavailable(
        "Travel requests can only be listed from a launch from Concur, which carries the traveller's Concur sign-in.",
      );
    }
    const json = await ctx.withConcurToken(async (token, base) => {
      const url = new URL(`${base}/travelrequest/v4/requests`);
      url.searchParams.set('view', this.config.view);
      url.searchParams.set('limit', '100');
      // A delegate lists the owner's requests; the owner's own token needs no userId.
      if (owner.toLowerCase() !== ctx.loggedInUserId.toLowerCase()) url.searchParams.set('userId', owner);
      return (await this.client.getJson('request.list', url, token, signal)).json;
    });
    const parsed = RequestsJson.safeParse(json);
    if (!parsed.success)
      throw new SourceUnavailable('Concur sent travel requests this connector cannot read. Please try again.');
    const items = (parsed.data.data ?? []).map((r): SearchItem => {
      const dates = [r.startDate, r.endDate]
        .filter(Boolean)
        .map((d) => d!.slice(0, 10))
        .join(' – ');
      const where = [r.mainDestination?.city, r.mainDestination?.countryCode].filter(Boolean).join(', ');
      const status = r.approvalStatus?.name ?? r.approvalStatus?.code ?? '';
      const inactive =
        r.approvalStatus?.code === 'CANCELED' || r.canceledPostApproval ? 'cancelled' : r.closed ? 'closed' : undefined;
      return {
        code: r.requestId,
        label: emptyAsNull(r.name) ?? `Request ${r.requestId}`,
        detail: [dates, where, status].filter(Boolean).join(' · '),
        ...(inactive ? { inactive } : {}),
      };
    });
    const index = new SearchIndex(items);
    this.#cache.set(key, index);
    return index;
  }

  async search(q: SourceQuery, ctx: SearchContext, signal?: AbortSignal): Promise<SourcePage> {
    const index = await this.#requests(ctx, signal);
    const page = index.search(q.query, q.offset, q.limit);
    return {
      items: page.hits.map((h) => ({
        ...index.rows[h.index]!,
        ...(Object.keys(h.highlight).length ? { highlight: h.highlight } : {}),
      })),
      total: page.total,
    };
  }

  async lookup(code: string, ctx: SearchContext, signal?: AbortSignal): Promise<SearchItem | undefined> {
    return (await this.#requests(ctx, signal)).rows.find((r) => r.code === code);
  }
}
