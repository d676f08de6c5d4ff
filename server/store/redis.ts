// The Store for several instances behind one load balancer: Redis (ioredis). Every instance sees the same nonces,
// sessions, recent picks, audit log and rate-limit counters. Expiry is Redis's own (PX), so no instance's clock
// decides it; sessions and hand-offs (which hold Concur tokens) are sealed with AES-256-GCM before they leave.
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { RateLimiterRedis } from 'rate-limiter-flexible';
import { openSession, sealSession } from './sealed.js';
import { StoreUnavailable } from '../errors.js';
import type { Store, WriteRecord } from './store.js';

export interface RedisStoreOptions {
  url: string;
  /** 32 bytes: encrypts sessions at rest. Every instance must use the same key. */
  key: Buffer;
  /** Prepended to every key, so one Redis can serve several deployments (and tests). */
  prefix?: string;
  now?: () => number;
}

/** Recent picks are forgotten this long after a user's last pick. */
export const RECENT_TTL_MS = 180 * 86_400_000;

/** How long a command may wait for Redis before the request fails (and /readyz reports it). */
const COMMAND_TIMEOUT_MS = 2000;

/** Moves a pick to the front of a user's recent list, keeps `max` and renews the list's time to live, atomically. */
const PUSH_RECENT = `
redis.call('LREM', KEYS[1], 0, ARGV[1])
redis.call('LPUSH', KEYS[1], ARGV[1])
redis.call('LTRIM', KEYS[1], 0, tonumber(ARGV[2]) - 1)
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1`;

export async function createRedisStore(opts: RedisStoreOptions): Promise<Store> {
  const now = opts.now ?? Date.now;
  const prefix = opts.prefix ?? 'leu:';
  const redis = new Redis(opts.url, {
    keyPrefix: prefix,
    lazyConnect: true,
    // A command fails at once while Redis is unreachable, instead of queueing behind a reconnect: a launch or a
    // write gets a clear error and /readyz says the store is failing.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: COMMAND_TIMEOUT_MS,
  });
  // Connection errors surface through the commands that fail; ioredis reconnects by itself.
  redis.on('error', () => {});
  await redis.connect().catch((error: Error) => {
    // Stop ioredis from trying again in the background: the caller reports the failure and gives up.
    redis.disconnect();
    throw error;
  });
  redis.defineCommand('pushRecent', { numberOfKeys: 1, lua: PUSH_RECENT });
  const pushRecent = (redis as unknown as { pushRecent(key: string, code: string, max: number, ttl: number): Promise<number> }).pushRecent.bind(redis);

  return failuresAsUnavailable({
    async recordWrite(record, retentionMs) {
      // A sorted set by time; the member carries an id so two identical records stay two.
      await redis.multi()
        .zadd('audit', record.at, `${randomUUID()} ${JSON.stringify(record)}`)
        .zremrangebyscore('audit', '-inf', `(${now() - retentionMs}`)
        .exec();
    },
    async writesSince(since) {
      const members = await redis.zrangebyscore('audit', since, '+inf');
      return members.map((m) => JSON.parse(m.slice(m.indexOf(' ') + 1)) as WriteRecord);
    },
    async claimNonce(nonce, ttlMs) {
      // SET NX is atomic across every instance: of many claims of one nonce, exactly one gets OK.
      return (await redis.set(`nonce:${nonce}`, '1', 'PX', Math.max(1, Math.ceil(ttlMs)), 'NX')) === 'OK';
    },
    async putSession(key, session, ttlMs) {
      if (ttlMs <= 0) return void (await redis.del(`session:${key}`));
      await redis.set(`session:${key}`, sealSession(opts.key, session), 'PX', Math.ceil(ttlMs));
    },
    async getSession(key) {
      const text = await redis.get(`session:${key}`);
      return text ? openSession(opts.key, text) : undefined;
    },
    async putHandoff(code, session, ttlMs) {
      await redis.set(`handoff:${code}`, sealSession(opts.key, session), 'PX', Math.max(1, Math.ceil(ttlMs)));
    },
    async takeHandoff(code) {
      // GETDEL: of two instances taking one code, one gets the session and the other nothing.
      const text = await redis.getdel(`handoff:${code}`);
      return text ? openSession(opts.key, text) : undefined;
    },
    async pushRecent(key, code, max) {
      await pushRecent(`recent:${key}`, code, max, RECENT_TTL_MS);
    },
    async recent(key) {
      return redis.lrange(`recent:${key}`, 0, -1);
    },
    async rememberTokenBase(companyDomain, tokenBase) {
      await redis.hset('token-bases', companyDomain.toLowerCase(), tokenBase);
    },
    async tokenBaseFor(companyDomain) {
      return (await redis.hget('token-bases', companyDomain.toLowerCase())) ?? undefined;
    },
    limiter(name, points, durationS) {
      // The ioredis client already prefixes keys; rate-limiter-flexible counts atomically with its own script.
      return new RateLimiterRedis({ storeClient: redis, keyPrefix: `rate:${name}`, points, duration: durationS });
    },
    async close() {
      await redis.quit().catch(() => redis.disconnect());
    },
  });
}

/** A Redis failure (down, timed out) becomes a 503 the user and /readyz can read, not an internal error. */
function failuresAsUnavailable(store: Store): Store {
  const wrapped = { ...store };
  for (const name of Object.keys(store) as (keyof Store)[]) {
    if (name === 'limiter' || name === 'close') continue;
    const call = store[name] as (...args: unknown[]) => Promise<unknown>;
    (wrapped as Record<string, unknown>)[name] = (...args: unknown[]) =>
      call(...args).catch((error: Error) => {
        throw new StoreUnavailable(`The connector's store (Redis) did not answer: ${error.message}. Try again in a moment.`);
      });
  }
  return wrapped;
}
