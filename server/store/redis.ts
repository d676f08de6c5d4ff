// The Store for several instances behind one load balancer: Redis (ioredis). Every instance sees the same nonces,
// sessions, recent picks, audit log, company connections and rate-limit counters. Expiry is Redis's own (PX), so
// no instance's clock decides it; sessions, hand-offs and company connections (which hold Concur tokens) are
// sealed with AES-256-GCM before they leave.
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { RateLimiterRedis } from 'rate-limiter-flexible';
import type { Logger } from 'pino';
import { ConfigError } from '../config.ts';
import {
  keyCheckValue,
  openConnection,
  openPending,
  openSession,
  sealConnection,
  sealPending,
  sealSession,
  verifyKeyCheck,
} from './sealed.ts';
import { StoreUnavailable } from '../errors.ts';
import type { Store, WriteRecord } from './store.ts';

export interface RedisStoreOptions {
  url: string;
  /** 32 bytes: encrypts sessions at rest. Every instance must use the same key. */
  key: Buffer;
  /** Prepended to every key, so one Redis can serve several deployments (and tests). */
  prefix?: string;
  now?: () => number;
  /** Where connection trouble is reported (never with the URL). */
  logger?: Logger;
}

/** GETDEL (hand-offs taken once) arrived in Redis 6.2. */
const MIN_VERSION = [6, 2];

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
  // ioredis turns TLS on for a lower-case rediss:// only.
  const url = opts.url.replace(/^rediss?:/i, (scheme) => scheme.toLowerCase());
  const redis = new Redis(url, {
    keyPrefix: prefix,
    lazyConnect: true,
    // A command fails at once while Redis is unreachable, instead of queueing behind a reconnect: a launch or a
    // write gets a clear error and /readyz says the store is failing.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: COMMAND_TIMEOUT_MS,
  });
  // Connection errors also surface through the commands that fail; ioredis reconnects by itself. One log line a
  // minute at most, without the URL (it may hold the password).
  let lastReported = 0;
  redis.on('error', (error: Error) => {
    if (Date.now() - lastReported < 60_000) return;
    lastReported = Date.now();
    opts.logger?.warn({ cause: error.message }, 'the Redis store is unreachable; reconnecting');
  });
  try {
    await redis.connect();
    const version = /redis_version:(\d+)\.(\d+)/.exec(await redis.info('server'));
    if (
      version &&
      (Number(version[1]) < MIN_VERSION[0]! ||
        (Number(version[1]) === MIN_VERSION[0] && Number(version[2]) < MIN_VERSION[1]!))
    ) {
      throw new ConfigError(
        `STORE_URL: Redis ${version[1]}.${version[2]} is too old: ` +
          `the store needs Redis ${MIN_VERSION.join('.')} or later`,
      );
    }
    await redis.set('keycheck', keyCheckValue(opts.key), 'NX');
    verifyKeyCheck(opts.key, (await redis.get('keycheck'))!);
  } catch (error) {
    // Stop ioredis from trying again in the background: the caller reports the failure and gives up.
    redis.disconnect();
    throw error;
  }
  redis.defineCommand('pushRecent', { numberOfKeys: 1, lua: PUSH_RECENT });
  const pushRecent = (
    redis as unknown as { pushRecent(key: string, code: string, max: number, ttl: number): Promise<number> }
  ).pushRecent.bind(redis);

  return failuresAsUnavailable({
    async recordWrite(record, retentionMs) {
      // A sorted set by time; the member carries an id so two identical records stay two.
      await redis
        .multi()
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
      await redis.set(`session:${key}`, sealSession(opts.key, `session:${key}`, session), 'PX', Math.ceil(ttlMs));
    },
    async getSession(key) {
      const text = await redis.get(`session:${key}`);
      return text ? openSession(opts.key, `session:${key}`, text) : undefined;
    },
    async putHandoff(code, session, ttlMs) {
      await redis.set(
        `handoff:${code}`,
        sealSession(opts.key, `handoff:${code}`, session),
        'PX',
        Math.max(1, Math.ceil(ttlMs)),
      );
    },
    async takeHandoff(code) {
      // GETDEL: of two instances taking one code, one gets the session and the other nothing.
      const text = await redis.getdel(`handoff:${code}`);
      return text ? openSession(opts.key, `handoff:${code}`, text) : undefined;
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
    async putPending(code, value, ttlMs) {
      const slot = `pending:${code}`;
      await redis.set(slot, sealPending(opts.key, slot, value), 'PX', Math.max(1, Math.ceil(ttlMs)));
    },
    async getPending(code) {
      const text = await redis.get(`pending:${code}`);
      return text ? openPending(opts.key, `pending:${code}`, text) : undefined;
    },
    async takePending(code) {
      const text = await redis.getdel(`pending:${code}`);
      return text ? openPending(opts.key, `pending:${code}`, text) : undefined;
    },
    async getConnection(name) {
      // One hash, no time to live: a connection lives until it is deleted or overwritten.
      const text = await redis.hget('connections', name);
      return text ? openConnection(opts.key, `connection:${name}`, text) : undefined;
    },
    async putConnection(name, record) {
      await redis.hset('connections', name, sealConnection(opts.key, `connection:${name}`, record));
    },
    async deleteConnection(name) {
      await redis.hdel('connections', name);
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

/** A Redis failure (down, timed out) becomes a 503 the user can read (the cause goes to the log), not a 500. */
function failuresAsUnavailable(store: Store): Store {
  const wrapped = { ...store };
  for (const name of Object.keys(store) as (keyof Store)[]) {
    if (name === 'limiter' || name === 'close') continue;
    (wrapped as Record<string, unknown>)[name] = (...args: unknown[]) =>
      (store[name] as (...args: unknown[]) => Promise<unknown>)(...args).catch((error: unknown) => {
        throw StoreUnavailable.because(`redis ${name}`, error);
      });
  }
  return wrapped;
}
