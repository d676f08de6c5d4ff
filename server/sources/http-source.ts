// The customer's own HTTP API as a data source: a URL template filled with the query and the launch context,
// an auth header from configuration, a mapping from their JSON to code/label/detail, a timeout and a short cache.
import ky, { HTTPError, TimeoutError } from 'ky';
import { LRUCache } from 'lru-cache';
import { z } from 'zod';
import type { Logger } from 'pino';
import { CONCUR_VALUE_MAX, type SearchItem } from '../../src/contract/api.ts';
import { SourceUnavailable } from '../errors.ts';
import { namesItemFacts, type DataSource, type SearchContext, type SourcePage, type SourceQuery } from './source.ts';
import { CONTEXT_KEYS, IDENTITY_KEYS } from './context-filter.ts';

/** The search's own placeholders, then the launch's context (the keys context filters read). */
const PLACEHOLDERS = ['query', 'offset', 'limit', 'code', ...CONTEXT_KEYS];
const LOOPBACK_HTTP = /^http:\/\/(localhost|127(\.\d{1,3}){3}|\[::1\])(:\d+)?\//;
/** The part before the path: placeholders may not appear there, so no query can move a request (and its secret). */
const origin = (t: string) => /^https?:\/\/[^/?#]*/.exec(t)?.[0] ?? '';
const urlTemplate = z
  .string()
  .refine(
    (t) => t.startsWith('https://') || LOOPBACK_HTTP.test(t),
    'must start with https:// (plain http only for a loopback test server)',
  )
  .refine(
    (t) => /^https?:\/\/[^/?#{}]+[/?]/.test(t) && !origin(t).includes('{'),
    'must name its host and start its path before any {placeholder}',
  )
  .refine(
    (t) => [...t.matchAll(/\{(\w+)\}/g)].every((m) => PLACEHOLDERS.includes(m[1]!)),
    `may use only ${PLACEHOLDERS.map((p) => `{${p}}`).join(', ')}`,
  );

export const HttpSourceConfig = z
  .object({
    type: z.literal('http'),
    title: z.string().default('the list of values'),
    /** e.g. https://erp.example.com/api/projects?q={query}&employee={employeeId}&date={date} */
    url: urlTemplate,
    /** Optional: the URL that answers one code (to check a choice); otherwise the search URL is asked for the code. */
    lookupUrl: urlTemplate.optional(),
    /** Header values may name environment variables as ${NAME}, so secrets stay out of the file. */
    headers: z.record(z.string(), z.string()).default({}),
    /** Dotted path to the array of items in the answer ('' for the answer itself), and to the total, if any. */
    items: z.string().default(''),
    total: z.string().optional(),
    map: z
      .object({ code: z.string(), label: z.string(), detail: z.string().optional(), inactive: z.string().optional() })
      .strict(),
    timeoutMs: z.number().int().min(200).max(30_000).default(4000),
    cacheSeconds: z.number().int().min(0).max(3600).default(30),
  })
  .strict()
  .refine((c) => !/\{(offset|limit)\}/.test(c.url) || c.total !== undefined, {
    path: ['total'],
    message: 'is needed when url pages with {offset} or {limit}: it tells how many results there are in all',
  });
export type HttpSourceConfig = z.infer<typeof HttpSourceConfig>;

const get = (value: unknown, path: string): unknown =>
  path === ''
    ? value
    : path
        .split('.')
        .reduce<unknown>(
          (v, key) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined),
          value,
        );

/** A mapped value as text: a string, number or boolean; an object or a list is no text (not "[object Object]"). */
const asText = (v: unknown) =>
  typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;

export class HttpSource implements DataSource {
  readonly needsLaunchContext: boolean;
  readonly needsItemFacts: boolean;
  readonly title: string;
  readonly #cache: LRUCache<string, { items: SearchItem[]; total: number }>;
  readonly #headers: Record<string, string>;
  readonly #serverPaging: boolean;

  private readonly config: HttpSourceConfig;
  private readonly logger: Logger;
  constructor(config: HttpSourceConfig, logger: Logger, env: Record<string, string | undefined>) {
    this.config = config;
    this.logger = logger;
    this.title = config.title;
    this.#cache = new LRUCache({ max: 1000, ttl: Math.max(1, config.cacheSeconds) * 1000 });
    this.#headers = Object.fromEntries(
      Object.entries(config.headers).map(([k, v]) => [
        k,
        v.replace(/\$\{(\w+)\}/g, (_, name: string) => {
          if (!env[name])
            throw new Error(
              `the header ${k} of ${config.title} names the environment variable ${name}, which is not set`,
            );
          return env[name];
        }),
      ]),
    );
    this.#serverPaging = /\{offset\}|\{limit\}/.test(config.url);
    this.needsLaunchContext = [config.url, config.lookupUrl ?? ''].some((t) =>
      CONTEXT_KEYS.some((k) => t.includes(`{${k}}`)),
    );
    this.needsItemFacts = namesItemFacts([config.url, config.lookupUrl]);
  }

  /**
   * True when the template names who the launch is for ({employeeId}, ...) and that value is empty: the customer's
   * API would be asked for everyone's rows, so it is not asked (fails closed, like the catalog's context filters).
   */
  #identityMissing(template: string, values: Record<string, string | number | undefined>): boolean {
    return IDENTITY_KEYS.some((key) => template.includes(`{${key}}`) && !values[key]);
  }

  #fill(template: string, values: Record<string, string | number | undefined>): string {
    const url = template.replace(/\{(\w+)\}/g, (_, key: string) => {
      const value = encodeURIComponent(String(values[key] ?? ''));
      // A path segment of "." or ".." would climb out of the configured path.
      return value === '.' || value === '..' ? encodeURIComponent(value.replace(/\./g, '%2E')) : value;
    });
    // Defence in depth: the filled URL keeps the configured host.
    if (new URL(url).origin !== new URL(origin(template)).origin)
      throw new SourceUnavailable(`${capitalize(this.title)} cannot be asked this.`);
    return url;
  }

  async #fetch(url: string, signal?: AbortSignal): Promise<{ items: SearchItem[]; total: number }> {
    if (this.config.cacheSeconds > 0) {
      const hit = this.#cache.get(url);
      if (hit) return hit;
    }
    let json: unknown;
    const host = new URL(url).host;
    try {
      json = await ky
        // No redirects: the configured secret header must not follow the request to another host. A 3xx comes back
        // as it is and fails the call.
        .get(url, {
          headers: { accept: 'application/json', ...this.#headers },
          timeout: this.config.timeoutMs,
          retry: { limit: 1, statusCodes: [502, 503, 504] },
          signal,
          redirect: 'manual',
        })
        .json();
    } catch (error) {
      const why =
        error instanceof TimeoutError
          ? `did not answer within ${this.config.timeoutMs / 1000} s`
          : error instanceof HTTPError
            ? error.response.status < 400
              ? `answered with a redirect (HTTP ${error.response.status}), which is never followed`
              : `answered HTTP ${error.response.status}`
            : 'could not be reached';
      this.logger.error({ source: this.title, host, reason: why }, 'search source failed');
      throw new SourceUnavailable(
        `${capitalize(this.title)} is not available right now (it ${why}). Please try again in a moment.`,
      );
    }
    const list = get(json, this.config.items);
    if (!Array.isArray(list)) {
      this.logger.error({ source: this.title, host, path: this.config.items }, 'search source answered without a list');
      throw new SourceUnavailable(
        `${capitalize(this.title)} answered with something this connector cannot read. Tell your administrator.`,
      );
    }
    const { map } = this.config;
    const items: SearchItem[] = [];
    for (const raw of list) {
      const code = asText(get(raw, map.code));
      const label = asText(get(raw, map.label));
      if (!code || !label || code.length > CONCUR_VALUE_MAX) continue;
      const detail = map.detail ? asText(get(raw, map.detail)) : undefined;
      const inactive = map.inactive ? asText(get(raw, map.inactive)) : undefined;
      items.push({ code, label, ...(detail ? { detail } : {}), ...(inactive ? { inactive } : {}) });
    }
    const total = Number(this.config.total ? get(json, this.config.total) : NaN);
    const result = { items, total: Number.isFinite(total) ? total : items.length };
    if (this.config.cacheSeconds > 0) this.#cache.set(url, result);
    return result;
  }

  #values(ctx: SearchContext) {
    return {
      date: ctx.date,
      expenseType: ctx.expenseType,
      employeeId: ctx.employeeId,
      companyDomain: ctx.companyDomain,
      loggedInUserId: ctx.loggedInUserId,
      reportOwnerUserId: ctx.reportOwnerUserId,
    };
  }

  async search(q: SourceQuery, ctx: SearchContext, signal?: AbortSignal): Promise<SourcePage> {
    if (this.#identityMissing(this.config.url, this.#values(ctx))) return { items: [], total: 0 };
    const url = this.#fill(this.config.url, {
      ...this.#values(ctx),
      query: q.query.trim(),
      offset: q.offset,
      limit: q.limit,
    });
    const r = await this.#fetch(url, signal);
    // An API without paging answers everything at once; page it here.
    return this.#serverPaging ? r : { items: r.items.slice(q.offset, q.offset + q.limit), total: r.items.length };
  }

  async lookup(code: string, ctx: SearchContext, signal?: AbortSignal): Promise<SearchItem | undefined> {
    if (this.#identityMissing(this.config.lookupUrl ?? this.config.url, this.#values(ctx))) return undefined;
    const url = this.config.lookupUrl
      ? this.#fill(this.config.lookupUrl, { ...this.#values(ctx), code })
      : this.#fill(this.config.url, { ...this.#values(ctx), query: code, offset: 0, limit: 50 });
    return (await this.#fetch(url, signal)).items.find((i) => i.code === code);
  }
}

const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
