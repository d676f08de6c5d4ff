// The Store for several instances behind one load balancer: Redis (ioredis). Every instance sees the same nonces,
// sessions, recent picks, audit log, company connections and rate-limit counters. Expiry is Redis's own (PX), so
// no instance's clock decides it; sessions, hand-offs and company connections (which hold Concur tokens) are
// sealed with AES-256-GCM before they leave.
import { randomUUID } from 'node:crypto';
import type { ChainableCommander } from 'ioredis';
import { RateLimiterRedis } from 'rate-limiter-flexible';
import type { Logger } from 'pino';
import { ConfigError } from '../config.ts';
import {
  keyCheckValue,
  openConnection,
  openPending,
  openCompany,
  openHandoff,
  openSession,
  sealCompany,
  sealConnection,
  sealPending,
  sealHandoff,
  sealSession,
  verifyKeyCheck,
} from './sealed.ts';
import { StoreUnavailable } from '../errors.ts';
import type { Store, WriteRecord } from './store.ts';
import {
  connectRedis,
  createRedisClient,
  masters,
  scanAll,
  waitsForReplica,
  type RedisClient,
} from './redis-connection.ts';
import type { StoredCatalog } from '../companies/record.ts';

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

/** How long a write that must survive a failover waits for a replica to have it (WAIT 1), within the command timeout. */
export const REPLICA_WAIT_MS = 1000;

// Redis Cluster: every command here touches one key (MULTI … EXEC only the audit key, the scripts one key each, as
// do rate-limiter-flexible's), so no keys need to share a slot and none carries a hash tag: keys of one kind spread
// over the masters. Keys used together in one command or script must share a hash tag ({…}, e.g. `{handoff:c}` and
// `{handoff:c}:lock`), or a Cluster refuses the command (CROSSSLOT).

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
  const options = {
    keyPrefix: prefix,
    lazyConnect: true,
    // A command fails at once while Redis is unreachable, instead of queueing behind a reconnect: a launch or a
    // write gets a clear error and /readyz says the store is failing.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: COMMAND_TIMEOUT_MS,
  };
  // One server, a Cluster or a Sentinel group, as STORE_URL says (redis-connection.ts).
  const connect = () => createRedisClient(opts.url, options);
  const redis = connect();
  // Connection errors also surface through the commands that fail; ioredis reconnects by itself. One log line a
  // minute at most, without the URL (it may hold the password).
  let lastReported = 0;
  const report = (error: Error) => {
    if (Date.now() - lastReported < 60_000) return;
    lastReported = Date.now();
    opts.logger?.warn({ cause: error.message }, 'the Redis store is unreachable; reconnecting');
  };
  redis.on('error', report);
  let waitForReplica = false;
  // The connection of the writes that wait for a replica (replicated(), below).
  let writer: RedisClient = redis;
  try {
    await connectRedis(redis);
    // Every master of a Cluster: INFO is no key's, so a Cluster would send it to any one node.
    for (const node of masters(redis)) {
      const version = /redis_version:(\d+)\.(\d+)/.exec(await node.info('server'));
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
    }
    await redis.set('keycheck', keyCheckValue(opts.key), 'NX');
    verifyKeyCheck(opts.key, (await redis.get('keycheck'))!);
    waitForReplica = await waitsForReplica(redis);
    if (waitForReplica) {
      // A WAIT holds up every command behind it on its connection (a second, when no replica answers): the
      // writes that wait get a connection of their own, so reads never queue behind them.
      writer = connect();
      writer.on('error', report);
      await connectRedis(writer);
    }
  } catch (error) {
    // Stop ioredis from trying again in the background: the caller reports the failure and gives up.
    redis.disconnect();
    writer.disconnect();
    throw error;
  }
  redis.defineCommand('pushRecent', { numberOfKeys: 1, lua: PUSH_RECENT });
  const pushRecent = (
    redis as unknown as { pushRecent(key: string, code: string, max: number, ttl: number): Promise<number> }
  ).pushRecent.bind(redis);

  /**
   * Runs a write (or, `atomic`, one MULTI … EXEC of writes) and, when the deployment has replicas (waitsForReplica,
   * decided at start), WAITs until one replica has it: the one place that decides whether a write the connector
   * answers for survives a failover. A write no replica acknowledged within REPLICA_WAIT_MS fails, as a 503: never
   * a success (a used nonce, a hand-off) that the promoted replica would not know of. The WAIT goes in the write's
   * pipeline, so it runs on the connection that made the write (WAIT counts that connection's writes) and, on a
   * Cluster, on the node owning the write's key (ioredis sends a pipeline to the node of its keys); a pipeline cut
   * off half-way is rejected, not resent in part. Resolves to the write's reply (EXEC's, for `atomic`).
   */
  const replicated = async (write: (queue: ChainableCommander) => unknown, atomic = false): Promise<unknown> => {
    const queue = writer.pipeline() as ChainableCommander & { multi(): ChainableCommander };
    if (atomic) queue.multi();
    write(queue);
    // After multi(), a pipeline's exec() only queues EXEC (ioredis's Pipeline; its types do not say so).
    if (atomic) void queue.exec();
    if (waitForReplica) queue.wait(1, REPLICA_WAIT_MS);
    const replies = (await queue.exec()) ?? [];
    const failed = replies.find(([error]) => error)?.[0];
    if (failed) throw failed;
    if (waitForReplica && !(Number(replies.at(-1)?.[1]) >= 1))
      throw new Error(`no replica acknowledged the write within ${REPLICA_WAIT_MS} ms`);
    return replies.at(waitForReplica ? -2 : -1)?.[1];
  };

  return failuresAsUnavailable({
    async recordWrite(record, retentionMs) {
      // A sorted set by time; the member carries an id so two identical records stay two.
      await replicated(
        (queue) =>
          queue
            .zadd('audit', record.at, `${randomUUID()} ${JSON.stringify(record)}`)
            .zremrangebyscore('audit', '-inf', `(${now() - retentionMs}`),
        true,
      );
    },
    async writesSince(since) {
      const members = await redis.zrangebyscore('audit', since, '+inf');
      return members.map((m) => JSON.parse(m.slice(m.indexOf(' ') + 1)) as WriteRecord);
    },
    async claimNonce(nonce, ttlMs) {
      // SET NX is atomic across every instance: of many claims of one nonce, exactly one gets OK. A claim that a
      // failover could lose is no claim (or the launch could be accepted twice): replicated() sees to that.
      const claim = (queue: ChainableCommander) =>
        queue.set(`nonce:${nonce}`, '1', 'PX', Math.max(1, Math.ceil(ttlMs)), 'NX');
      return (await replicated(claim)) === 'OK';
    },
    async putSession(key, session, ttlMs) {
      if (ttlMs <= 0) return void (await replicated((queue) => queue.del(`session:${key}`)));
      const sealed = sealSession(opts.key, `session:${key}`, session);
      await replicated((queue) => queue.set(`session:${key}`, sealed, 'PX', Math.ceil(ttlMs)));
    },
    async getSession(key) {
      const text = await redis.get(`session:${key}`);
      return text ? openSession(opts.key, `session:${key}`, text) : undefined;
    },
    async putHandoff(code, handoff, ttlMs) {
      const sealed = sealHandoff(opts.key, `handoff:${code}`, handoff);
      await replicated((queue) => queue.set(`handoff:${code}`, sealed, 'PX', Math.max(1, Math.ceil(ttlMs))));
    },
    async peekHandoff(code) {
      const text = await redis.get(`handoff:${code}`);
      return text ? openHandoff(opts.key, `handoff:${code}`, text) : undefined;
    },
    async takeHandoff(code) {
      // GETDEL: of two instances taking one code, one gets the token and the other nothing (and a failover
      // does not bring a taken code back: replicated()).
      const text = (await replicated((queue) => queue.getdel(`handoff:${code}`))) as string | null;
      return text ? openHandoff(opts.key, `handoff:${code}`, text) : undefined;
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
      const sealed = sealPending(opts.key, slot, value);
      await replicated((queue) => queue.set(slot, sealed, 'PX', Math.max(1, Math.ceil(ttlMs))));
    },
    async getPending(code) {
      const text = await redis.get(`pending:${code}`);
      return text ? openPending(opts.key, `pending:${code}`, text) : undefined;
    },
    async takePending(code) {
      const text = (await replicated((queue) => queue.getdel(`pending:${code}`))) as string | null;
      return text ? openPending(opts.key, `pending:${code}`, text) : undefined;
    },
    async getConnection(name) {
      // One hash, no time to live: a connection lives until it is deleted or overwritten.
      const text = await redis.hget('connections', name);
      return text ? openConnection(opts.key, `connection:${name}`, text) : undefined;
    },
    async putConnection(name, record) {
      const sealed = sealConnection(opts.key, `connection:${name}`, record);
      await replicated((queue) => queue.hset('connections', name, sealed));
    },
    async deleteConnection(name) {
      await replicated((queue) => queue.hdel('connections', name));
    },
    async listCompanies() {
      const all = await redis.hgetall('companies');
      return Object.entries(all)
        .map(([id, text]) => openCompany(opts.key, id, text))
        .filter((r) => r !== undefined);
    },
    async getCompany(id) {
      const text = await redis.hget('companies', id);
      return text ? openCompany(opts.key, id, text) : undefined;
    },
    async putCompany(record) {
      await redis.hset('companies', record.id, sealCompany(opts.key, record));
    },
    async deleteCompany(id) {
      await redis.hdel('companies', id);
      await redis.del(`catalogs:${id}`);
    },
    async putCatalog(companyId, name, catalog) {
      await redis.hset(`catalogs:${companyId}`, name, JSON.stringify(catalog));
    },
    async getCatalog(companyId, name) {
      const text = await redis.hget(`catalogs:${companyId}`, name);
      return text ? (JSON.parse(text) as StoredCatalog) : undefined;
    },
    async forgetScope(scope) {
      if (!/^[\w.-]+$/.test(scope)) throw new Error('forgetScope needs a scope of letters, digits, . - and _');
      // Keys are <prefix><kind>:<scope>...; SCAN's pattern is not prefixed by ioredis, and neither are the names
      // it returns, so the prefix is taken off again before DEL (which ioredis prefixes).
      for await (const keys of scanKeys(redis, `${escapeGlob(prefix)}*:${scope}*`))
        if (keys.length) await Promise.all(keys.map((k) => redis.del(k.slice(prefix.length))));
      for (const hash of ['token-bases', 'connections']) {
        const fields = Object.keys(await redis.hgetall(hash)).filter((f) => f.startsWith(scope));
        if (fields.length) await redis.hdel(hash, ...fields);
      }
    },
    limiter(name, points, durationS) {
      // The ioredis client already prefixes keys; rate-limiter-flexible counts atomically with its own script.
      return new RateLimiterRedis({ storeClient: redis, keyPrefix: `rate:${name}`, points, duration: durationS });
    },
    async close() {
      for (const client of new Set([redis, writer])) await client.quit().catch(() => client.disconnect());
    },
  });
}

/** Every key matching a SCAN pattern, a batch at a time; on a Cluster, from every master (scanAll). */
async function* scanKeys(redis: RedisClient, match: string): AsyncIterable<string[]> {
  yield* scanAll(redis, match);
}

const escapeGlob = (s: string) => s.replace(/[*?[\]\\]/g, '\\$&');

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
