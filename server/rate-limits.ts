// Rate limits, counted in the store so every instance on it shares them (rate-limiter-flexible does the counting):
// searches per popup session or embedding visitor, and refused launches per client address.
import type { Context, MiddlewareHandler } from 'hono';
import { getConnInfo } from '@hono/node-server/conninfo';
import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { AppDeps, AppEnv } from './app.js';
import { AppError, LaunchParamsInvalid, LaunchReplayed, LaunchSignatureInvalid, ItemUrlNotAllowed, StoreUnavailable, TooManyRequests } from './errors.js';

const storeFailed = (error: unknown) => new StoreUnavailable(`The connector's store did not answer (${(error as Error)?.message ?? error}). Try again in a moment.`);

const retryAfter = (res: RateLimiterRes) => Math.max(1, Math.ceil(res.msBeforeNext / 1000));

/** The client's address: the socket's, or with TRUST_PROXY_HOPS the one the outermost trusted proxy saw. */
export function clientAddress(c: Context, trustProxyHops: number): string {
  if (trustProxyHops > 0) {
    const hops = (c.req.header('x-forwarded-for') ?? '').split(',').map((s) => s.trim()).filter(Boolean);
    const seen = hops[hops.length - trustProxyHops] ?? hops[0];
    if (seen) return seen;
  }
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    // Not behind Node's server (app.request in tests): one bucket for all.
    return 'unknown';
  }
}

/** Searches per minute for whatever `keyOf` names (a session, an address); off at 0. */
export function searchLimit(deps: AppDeps, surface: string, keyOf: (c: Context<AppEnv>) => string): MiddlewareHandler<AppEnv> {
  const points = deps.config.rateLimits.searchesPerMinute;
  const limiter = points > 0 ? deps.store.limiter(`search-${surface}`, points, 60) : undefined;
  return async (c, next) => {
    if (limiter) {
      await limiter.consume(keyOf(c)).catch((res: unknown) => {
        if (res instanceof RateLimiterRes) throw new TooManyRequests('Too many searches in a short time. Wait a moment, then search again.', retryAfter(res));
        throw storeFailed(res);
      });
    }
    await next();
  };
}

/** Refusals that may be someone trying signatures or replays; an address with too many is refused for a while. */
const SUSPICIOUS = [LaunchParamsInvalid, LaunchSignatureInvalid, LaunchReplayed, ItemUrlNotAllowed];

export class LaunchGuard {
  private readonly limiter?: RateLimiterAbstract;
  private readonly points: number;
  constructor(private readonly deps: AppDeps) {
    this.points = deps.config.rateLimits.launchFailuresPerMinute;
    if (this.points > 0) this.limiter = deps.store.limiter('launch-refusals', this.points, 60);
  }

  /** Runs a launch; refuses it outright when its address has been refused too often, and counts a new refusal. */
  async guard<T>(c: Context<AppEnv>, launch: () => Promise<T>): Promise<T> {
    if (!this.limiter) return launch();
    const address = clientAddress(c, this.deps.config.trustProxyHops);
    const seen = await this.limiter.get(address).catch((error: unknown) => {
      throw storeFailed(error);
    });
    if (seen && seen.consumedPoints >= this.points) {
      throw new TooManyRequests('Too many links from this address could not be verified. Wait a minute, then open the window from Concur again.', retryAfter(seen));
    }
    try {
      return await launch();
    } catch (error) {
      if (error instanceof AppError && SUSPICIOUS.some((kind) => error instanceof kind)) {
        await this.limiter.consume(address).catch((res: unknown) => {
          if (!(res instanceof RateLimiterRes)) throw storeFailed(res);
        });
      }
      throw error;
    }
  }
}
