// The one client for the companion server's /api (ky); every answer is parsed with the shared contract.
import ky, { type KyInstance } from 'ky';
import type * as z from 'zod/mini';
import { CommitResponse, type CommitRequest, SearchResponse, SessionClaim, SessionContext } from '../contract/api.ts';

import { ApiError } from './api-error.ts';
import { parseAnswer, translateError } from './errors.ts';
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
  storage?: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;
  /** How many results a search returns. */
  limit?: number;
}

const TOKEN_KEY = 'leu.session';

export function createApiClient(opts: ApiClientOptions = {}): ApiClient {
  const storage = opts.storage ?? sessionStorage;
  const http: KyInstance = ky.create({
    prefix: new URL(opts.baseUrl ?? '/api/', location.href).href,
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

  /**
   * The session token, settled once per page load. A fresh launch always wins: Concur may open a new launch in
   * the same named window, so the hand-off is claimed first. Only when there is none (a reload of the popup)
   * does the token kept in storage carry on.
   */
  let settled: Promise<string> | undefined;
  function token(): Promise<string> {
    settled ??= parse(SessionClaim, http.post('session'))
      .then((claim) => {
        storage.setItem(TOKEN_KEY, claim.token);
        return claim.token;
      })
      .catch((error: unknown) => {
        const stored = storage.getItem(TOKEN_KEY);
        if (error instanceof ApiError && error.code === 'session_missing' && stored) return stored;
        settled = undefined;
        throw error;
      });
    return settled;
  }

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
