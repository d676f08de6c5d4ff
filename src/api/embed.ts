// The client an embedded picker uses: the connector's field and search API for other hosts (ky, no cookies).
import ky, { type KyInstance } from 'ky';
import * as z from 'zod/mini';
import { EmbedField, SearchResponse } from '../contract/api.ts';

const EmbedConfig = z.object({ allowedOrigins: z.array(z.string()) });
import { searchParams, type ScopedSearch } from './search-params.ts';
import { parseAnswer } from './errors.ts';

/** Its methods are closures, not using `this`: each can be handed on alone (the picker gives `search` to its box). */
export interface EmbedClient {
  field(this: void, signal?: AbortSignal): Promise<EmbedField>;
  search: ScopedSearch;
}

/**
 * The origins the connector lets embed its picker (not a secret: the framed page needs it to answer its host).
 * `base` is a company's picker API: https://connector.example.com/embed/v1, or …/embed/v1/companies/{id}.
 */
export async function embedConfig(base: string): Promise<{ allowedOrigins: string[] }> {
  return parseAnswer(
    EmbedConfig,
    ky.get(`${base.replace(/\/+$/, '')}/config`, { retry: 1, timeout: 10_000, credentials: 'omit' }),
  );
}

/**
 * `source` is the field's address on the connector, e.g. https://connector.example.com/embed/v1/fields/custom12.
 * Answers are parsed with the shared contract; failures become ApiErrors a picker can show.
 */
export function createEmbedClient(source: string, languageCode: string, opts: { limit?: number } = {}): EmbedClient {
  const base = source.replace(/\/+$/, '');
  const http: KyInstance = ky.create({ timeout: 20_000, retry: 0, credentials: 'omit' });
  return {
    field: (signal) => parseAnswer(EmbedField, http.get(base, { searchParams: { lang: languageCode }, signal })),
    search(query, signal, offset = 0, parent, scope) {
      const params = { ...searchParams(query, opts.limit ?? 50, offset, parent, scope), lang: languageCode };
      return parseAnswer(SearchResponse, http.get(`${base}/search`, { searchParams: params, signal }));
    },
  };
}
