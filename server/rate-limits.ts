// Rate limits, counted in the store so every instance on it shares them (rate-limiter-flexible does the counting):
// searches per popup session or embedding visitor, and refused launches per client address.
import type { Context, MiddlewareHandler } from 'hono';
import type { IncomingMessage } from 'node:http';
import { getConnInfo } from '@hono/node-server/conninfo';
import ipaddr from 'ipaddr.js';
import proxyAddr from 'proxy-addr';
import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { AppDeps, AppEnv } from './app.js';
import { AppError, LaunchParamsInvalid, LaunchReplayed, LaunchSignatureInvalid, ItemUrlNotAllowed, StoreUnavailable, TooManyRequests } from './errors.js';

/** Takes a point for `key`: over the limit, a 429 saying `message` with Retry-After; a failing store, a 503. */
async function consume(limiter: RateLimiterAbstract, key: string, message: string): Promise<void> {
  await limiter.consume(key).catch((res: unknown) => {
    if (res instanceof RateLimiterRes) throw new TooManyRequests(message, Math.max(1, Math.ceil(res.msBeforeNext / 1000)));
    throw StoreUnavailable.because('rate limit', res);
  });
}

/**
 * The client's address: the socket's, or with TRUST_PROXY_HOPS that many proxies trusted, the address the
 * outermost of them saw (proxy-addr, Express's own implementation of the rule).
 */
export function clientAddress(c: Context, trustProxyHops: number): string {
  let socket = 'unknown';
  try {
    socket = getConnInfo(c).remote.address ?? socket;
  } catch {
    // Not behind Node's server (app.request in tests): the socket is unknown.
  }
  if (trustProxyHops === 0) return socket;
  const request = { connection: { remoteAddress: socket }, headers: { 'x-forwarded-for': c.req.header('x-forwarded-for') } };
  return proxyAddr(request as unknown as IncomingMessage, (_address, hop) => hop < trustProxyHops);
}

/** Searches per minute for whatever `keyOf` names (a session, an address); off at 0. */
export function searchLimit(deps: AppDeps, surface: string, keyOf: (c: Context<AppEnv>) => string): MiddlewareHandler<AppEnv> {
  const points = deps.config.rateLimits.searchesPerMinute;
  const limiter = points > 0 ? deps.store.limiter(`search-${surface}`, points, 60) : undefined;
  return async (c, next) => {
    if (limiter) await consume(limiter, keyOf(c), 'Too many searches in a short time. Wait a moment, then search again.');
    await next();
  };
}

/** Refusals that may be someone trying signatures or replays; an address with too many is refused for a while. */
const SUSPICIOUS = [LaunchParamsInvalid, LaunchSignatureInvalid, LaunchReplayed, ItemUrlNotAllowed];

export class LaunchGuard {
  private readonly limiter?: RateLimiterAbstract;
  constructor(private readonly deps: AppDeps) {
    const points = deps.config.rateLimits.launchFailuresPerMinute;
    if (points > 0) this.limiter = deps.store.limiter('launch-refusals', points, 60);
  }

  /**
   * Runs a launch; refuses it outright when its address has been refused too often. A point is taken before the
   * launch runs (so a burst in parallel cannot slip past) and given back unless the launch was suspicious.
   */
  async guard<T>(c: Context<AppEnv>, launch: () => Promise<T>): Promise<T> {
    if (!this.limiter) return launch();
    const limiter = this.limiter;
    const bucket = addressBucket(clientAddress(c, this.deps.config.trustProxyHops));
    await consume(limiter, bucket, 'Too many links from this address could not be verified. Wait a minute, then open the window from Concur again.');
    const giveBack = () => limiter.reward(bucket, 1).catch(() => undefined);
    try {
      const result = await launch();
      await giveBack();
      return result;
    } catch (error) {
      if (!(error instanceof AppError && SUSPICIOUS.some((kind) => error instanceof kind))) await giveBack();
      throw error;
    }
  }
}

/** One bucket per IPv4 address, and per /64 for IPv6 (one subscriber usually holds a whole /64). */
export function addressBucket(address: string): string {
  if (!ipaddr.isValid(address)) return address;
  const ip = ipaddr.process(address); // an IPv4-mapped IPv6 address counts as its IPv4 address
  return ip.kind() === 'ipv4' ? ip.toString() : `${(ip as ipaddr.IPv6).parts.slice(0, 4).map((p) => p.toString(16)).join(':')}::/64`;
}
