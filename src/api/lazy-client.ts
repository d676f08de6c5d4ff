// The popup's API client, loaded in its own chunk: ky, zod and the contract stay off the first screen, so the search
// box shows while they load; every answer is still parsed with the contract, by the client in that chunk.
import type { ApiClient, ApiClientOptions } from './client.ts';
import { ApiError } from './api-error.ts';

export type ApiClientModule = Pick<typeof import('./client.ts'), 'createApiClient'>;

/**
 * An ApiClient whose calls wait for the real one (src/api/client.ts). Its chunk is asked for at once, so it is
 * normally there before the first answer. A failed load is not kept: the call fails with an ApiError the popup
 * shows with Retry, and the next call loads again (browsers fetch a failed module again, whatwg/html#10327).
 */
export function createLazyApiClient(
  opts: ApiClientOptions = {},
  load: () => Promise<ApiClientModule> = () => import('./client.ts'),
): ApiClient {
  let client: Promise<ApiClient> | undefined;
  const ready = (): Promise<ApiClient> =>
    (client ??= load().then(
      (module) => module.createApiClient(opts),
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
    search: async (...args) => (await ready()).search(...args),
    commit: async (request) => (await ready()).commit(request),
  };
}
