// The popup's API client as its first screen has it: the session and the search with plain fetch, so the first
// results never wait for a chunk; ky, zod and the contract come in their own chunk (src/api/client.ts) for the
// context, the write, and every answer the first screen does not read itself.
import type { ApiClient, ApiClientOptions } from './client.ts';
import type { SearchResponse } from '../contract/api.ts';
import { ApiError } from './api-error.ts';
import { searchParams } from './search-params.ts';
import { apiPrefix, sessionToken } from './session-token.ts';

export type ApiClientModule = Pick<typeof import('./client.ts'), 'createApiClient'>;

/** The shape the search box renders, checked without the contract's schemas (which the first screen does not load). */
function isSearchAnswer(body: unknown): body is SearchResponse {
  const b = body as Partial<SearchResponse> | null;
  return (
    typeof b?.total === 'number' &&
    typeof b.offset === 'number' &&
    typeof b.query === 'string' &&
    [...(Array.isArray(b.items) ? b.items : [null]), ...(b.recent ?? [])].every(
      (i) => typeof i?.code === 'string' && typeof i.label === 'string',
    )
  );
}

/**
 * An ApiClient whose search runs at once and whose other calls wait for the real client (src/api/client.ts). Its
 * chunk is asked for at once, so it is normally there before the context's answer. A failed load is not kept: the
 * call fails with an ApiError the popup shows with Retry, and the next call loads again (browsers fetch a failed
 * module again, whatwg/html#10327). A search answer the first screen cannot read (an error, anything unexpected) is
 * asked again of the real client, which reads it with the contract and says what went wrong.
 */
export function createLazyApiClient(
  opts: ApiClientOptions = {},
  load: () => Promise<ApiClientModule> = () => import('./client.ts'),
): ApiClient {
  const prefix = apiPrefix(opts.baseUrl);
  const token = opts.token ?? sessionToken(new URL('session', prefix).href, opts.storage ?? sessionStorage);
  let client: Promise<ApiClient> | undefined;
  const ready = (): Promise<ApiClient> =>
    (client ??= load().then(
      (module) => module.createApiClient({ ...opts, token }),
      (reason: unknown) => {
        client = undefined;
        // Shown as any 'network' failure is ("Could not reach the connector…", with Retry); the cause is kept.
        const error = new ApiError('The connector client (a chunk of this page) could not be loaded.', 'network');
        error.cause = reason;
        throw error;
      },
    ));
  // Started now, not at the first call; a failure here is reported by that call.
  ready().catch(() => undefined);
  return {
    context: async (signal) => (await ready()).context(signal),
    async search(query, signal, offset = 0, parent, scope) {
      const url = new URL('search', prefix);
      url.search = new URLSearchParams(searchParams(query, opts.limit ?? 50, offset, parent, scope)).toString();
      const answer: unknown = await fetch(url, { headers: { authorization: `Bearer ${await token()}` }, signal })
        .then((r): Promise<unknown> | undefined => (r.ok ? r.json() : undefined))
        .catch((error: unknown) => {
          if (signal?.aborted) throw error;
        });
      return isSearchAnswer(answer) ? answer : (await ready()).search(query, signal, offset, parent, scope);
    },
    commit: async (request) => (await ready()).commit(request),
  };
}
