// The one client for the companion server's /api (ky); every answer is parsed with the shared contract.
import ky, { type KyInstance } from 'ky';
import type * as z from 'zod/mini';
import { CommitResponse, type CommitRequest, SearchResponse, SessionContext } from '../contract/api.ts';
import { parseAnswer, translateError } from './errors.ts';
import { apiPrefix, sessionToken, TOKEN_KEY, type TokenStorage } from './session-token.ts';
import { searchParams, type ScopedSearch } from './search-params.ts';

export interface ApiClient {
  context(signal?: AbortSignal): Promise<SessionContext>;
  search: ScopedSearch;
  commit(request: CommitRequest): Promise<CommitResponse>;
}

export type { SearchScope } from './search-params.ts';

export interface ApiClientOptions {
  /** Where the API lives; defaults to /api/ on this origin. */
  baseUrl?: string;
  /** Keeps the session token across reloads of the popup (sessionStorage in the app). */
  storage?: TokenStorage;
  /** The session token, when the page settles it (the popup's first screen does, src/api/session-token.ts). */
  token?: () => Promise<string>;
  /** How many results a search returns. */
  limit?: number;
}

export function createApiClient(opts: ApiClientOptions = {}): ApiClient {
  const storage = opts.storage ?? sessionStorage;
  const prefix = apiPrefix(opts.baseUrl);
  const http: KyInstance = ky.create({
    prefix,
    timeout: 20_000,
    retry: 0,
    credentials: 'same-origin',
  });

  const translate = (error: unknown) =>
    translateError(error, (response) => {
      // A session the server no longer knows is gone for good; the hand-off claim's 401 says nothing about it.
      if (response.status === 401 && !new URL(response.url).pathname.endsWith('/session'))
        storage.removeItem(TOKEN_KEY);
    });

  const parse = <T>(schema: z.ZodMiniType<T>, response: Promise<Response>) => parseAnswer(schema, response, translate);

  const token = opts.token ?? sessionToken(new URL('session', prefix).href, storage);

  const authorized = async () => ({ authorization: `Bearer ${await token()}` });

  return {
    async context(signal) {
      // The server may retry Concur for up to about 45 seconds before it answers with an error.
      return parse(SessionContext, http.get('context', { headers: await authorized(), signal, timeout: 50_000 }));
    },
    async search(query, signal, offset = 0, parent, scope) {
      return parse(
        SearchResponse,
        http.get('search', {
          headers: await authorized(),
          searchParams: searchParams(query, opts.limit ?? 50, offset, parent, scope),
          signal,
        }),
      );
    },
    async commit(request) {
      // The server retries Concur itself, within its own bounds; this only caps the wait.
      return parse(
        CommitResponse,
        http.post('commit', { headers: await authorized(), json: request, timeout: 60_000 }),
      );
    },
  };
}
