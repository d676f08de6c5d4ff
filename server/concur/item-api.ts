// What the Expense v4 and Request v4 item calls share: where a call with a token goes, and a GET whose answer is
// checked against its schema before anything reads it.
import type { z } from 'zod';
import type { ConcurClient, ConcurToken } from './client.ts';
import { apiBase } from './hosts.ts';
import { ConcurUnavailable, withCorrelation } from '../errors.ts';

export interface ItemApiOptions {
  /** An administrator's override of where Concur's APIs live, ignoring the token's geolocation. */
  apiBase?: string;
}

export abstract class ConcurItemApi {
  protected readonly client: ConcurClient;
  protected readonly opts: ItemApiOptions;
  constructor(client: ConcurClient, opts: ItemApiOptions = {}) {
    this.client = client;
    this.opts = opts;
  }

  /** The call's URL: the API base (the override, the token's geolocation, or the item's host) and the path. */
  protected url(ref: { base: string }, token: ConcurToken, path: string): URL {
    return new URL(apiBase(this.opts.apiBase, token, ref.base) + path);
  }

  /** GET with the token; an answer the schema does not accept is Concur unavailable, with its correlation id. */
  protected async get<T>(
    call: string,
    ref: { base: string },
    token: ConcurToken,
    path: string,
    schema: z.ZodType<T>,
    signal?: AbortSignal,
  ): Promise<T> {
    const { json, correlationId } = await this.client.getJson(call, this.url(ref, token, path), token, signal);
    const parsed = schema.safeParse(json);
    if (!parsed.success)
      throw withCorrelation(
        new ConcurUnavailable('Concur sent an answer we could not read. Please try again.'),
        correlationId,
      );
    return parsed.data;
  }
}
