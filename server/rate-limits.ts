// Rate limits, counted in the store so every instance on it shares them (rate-limiter-flexible does the counting):
// searches per popup session or embedding visitor, and refused launches and Test Connection passwords per address.
import type { Context, MiddlewareHandler } from 'hono';
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { getConnInfo } from '@hono/node-server/conninfo';
import ipaddr from 'ipaddr.js';
import proxyAddr from 'proxy-addr';
import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { AppDeps, AppEnv } from './env.ts';
import { LaunchParamsInvalid, LaunchSignatureInvalid, StoreUnavailable, TooManyRequests } from './errors.ts';

/** Takes a point for `key`: over the limit, a 429 saying `message` with Retry-After; a failing store, a 503. */
async function consume(limiter: RateLimiterAbstract, key: string, message: string): Promise<void> {
  await limiter.consume(key).catch((res: unknown) => {
    if (res instanceof RateLimiterRes)
      throw new TooManyRequests(message, Math.max(1, Math.ceil(res.msBeforeNext / 1000)));
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
  const request = {
    connection: { remoteAddress: socket },
    headers: { 'x-forwarded-for': c.req.header('x-forwarded-for') },
  };
  return proxyAddr(request as unknown as IncomingMessage, (_address, hop) => hop < trustProxyHops);
}

/** Searches per minute for whatever `keyOf` names (a session, an address); off at 0. */
export function searchLimit(
  deps: Pick<AppDeps, 'config' | 'store'>,
  surface: string,
  keyOf: (c: Context<AppEnv>) => string,
): MiddlewareHandler<AppEnv> {
  const points = deps.config.rateLimits.searchesPerMinute;
  const limiter = points > 0 ? deps.store.limiter(`search-${surface}`, points, 60) : undefined;
  return async (c, next) => {
    if (limiter)
      await consume(limiter, keyOf(c), 'Too many searches in a short time. Wait a moment, then search again.');
    await next();
  };
}

/**
 * Refused attempts per client address, for what a stranger can try without knowing a secret: launches whose
 * parameters or signature do not check out (`guard`), and wrong passwords on Test Connection (`guessing`). A
 * launch's signature is checked first (it is cheap and needs no store), so only refused launches are counted: junk
 * sent from an address (an <img> tag on any page can make an employee's browser send some) never makes a correctly
 * signed launch wait.
 */
export class FailureGuard {
  private readonly limiter?: RateLimiterAbstract;
  private readonly deps: Pick<AppDeps, 'store' | 'config'>;
  private readonly message: string;
  constructor(deps: Pick<AppDeps, 'store' | 'config'>, name: string, message: string) {
    this.deps = deps;
    this.message = message;
    const points = deps.config.rateLimits.launchFailuresPerMinute;
    if (points > 0) this.limiter = deps.store.limiter(name, points, 60);
  }

  #bucket(c: Context<AppEnv>): string {
    return addressBucket(clientAddress(c, this.deps.config.trustProxyHops));
  }

  /** Counts a refused attempt; past the limit the answer is a 429 instead of the refusal. */
  async #refused(c: Context<AppEnv>): Promise<void> {
    if (this.limiter) await consume(this.limiter, this.#bucket(c), this.message);
  }

  /**
   * For a password: a point is taken before `attempt` runs and given back when it succeeds, so a burst of guesses in
   * parallel cannot slip past the limit, and past it even a right guess is refused (or the limit would tell the
   * right one apart).
   */
  async guessing<T>(c: Context<AppEnv>, attempt: () => Promise<T>, subject?: string): Promise<T> {
    if (!this.limiter) return attempt();
    const limiter = this.limiter;
    // With a subject (the user name a Basic pair presents), its guesses are counted apart: Concur calls every
    // customer's connector from a few shared addresses, and one company's wrong pair must not lock out the others.
    const bucket =
      this.#bucket(c) + (subject === undefined ? '' : `|${createHash('sha256').update(subject).digest('base64url')}`);
    await consume(limiter, bucket, this.message);
    const result = await attempt();
    await limiter.reward(bucket, 1).catch(() => undefined);
    return result;
  }

  /**
   * Authenticates, then runs. A launch that `authenticate` refuses (its parameters or its signature) is counted;
   * one it accepts runs whatever the address's count: it was signed with the connector's password.
   */
  async guard<V, T>(
    c: Context<AppEnv>,
    authenticate: () => V | Promise<V>,
    run: (verified: V) => Promise<T>,
  ): Promise<T> {
    let verified: V;
    try {
      verified = await authenticate();
    } catch (error) {
      if (error instanceof LaunchParamsInvalid || error instanceof LaunchSignatureInvalid) await this.#refused(c);
      throw error;
    }
    return run(verified);
  }
}

/**
 * Wrong connector user names or passwords, wherever Concur's HTTP Basic is checked (Test Connection, the Fetch List
 * callout): one count per store, so guessing at two endpoints gets no more tries than guessing at one.
 */
const pairGuards = new WeakMap<AppDeps['store'], FailureGuard>();
export function connectorPairGuard(deps: Pick<AppDeps, 'store' | 'config'>): FailureGuard {
  let guard = pairGuards.get(deps.store);
  if (!guard) {
    guard = new FailureGuard(
      deps,
      'testconnection-refusals',
      'Too many wrong user names or passwords from this address. Wait a minute, then try again.',
    );
    pairGuards.set(deps.store, guard);
  }
  return guard;
}

/** The user name an HTTP Basic header presents (undefined without one): what a wrong pair is counted under. */
export function basicUserName(c: Context<AppEnv>): string | undefined {
  const [scheme, value] = (c.req.header('authorization') ?? '').trim().split(/\s+/);
  if (scheme?.toLowerCase() !== 'basic' || !value) return undefined;
  const decoded = Buffer.from(value, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? decoded : decoded.slice(0, colon);
}

/** One bucket per IPv4 address, and per /64 for IPv6 (one subscriber usually holds a whole /64). */
export function addressBucket(address: string): string {
  if (!ipaddr.isValid(address)) return address;
  const ip = ipaddr.process(address); // an IPv4-mapped IPv6 address counts as its IPv4 address
  return ip.kind() === 'ipv4'
    ? ip.toString()
    : `${(ip as ipaddr.IPv6).parts
        .slice(0, 4)
        .map((p) => p.toString(16))
        .join(':')}::/64`;
}
