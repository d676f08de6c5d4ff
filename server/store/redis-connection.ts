// How the Redis store reaches Redis: one server (redis://, rediss://), a Redis Cluster from its seed nodes
// (redis+cluster://) or the master of a Sentinel group (redis+sentinel://); the rediss+ forms use TLS. STORE_URL
// is parsed here, both for the configuration's check at start (server/config.ts) and for the client; messages
// describe it without user or password (describeRedisUrl).
import { Cluster, Redis, type RedisOptions } from 'ioredis';

export type RedisClient = Redis | Cluster;

interface Address {
  host: string;
  port: number;
}

/** The nodes of a Cluster or the Sentinels of a group, and how to sign in to the Redis servers behind them. */
interface Seeds {
  /** The scheme as written, in lower case: redis+cluster, rediss+sentinel, … */
  scheme: string;
  tls: boolean;
  nodes: Address[];
  username?: string;
  password?: string;
}

/** STORE_URL, parsed. It holds the password: print describeRedisUrl(url) instead. */
export type RedisTarget =
  | { kind: 'server'; url: string }
  | ({ kind: 'cluster' } & Seeds)
  | ({ kind: 'sentinel'; name: string; db: number } & Seeds);

/** The forms, as the configuration's messages show them. */
const FORM = {
  server: () => 'redis://[:password@]host:6379/0',
  cluster: (scheme: string) => `${scheme}://[:password@]host1:6379,host2:6379,...`,
  sentinel: (scheme: string) => `${scheme}://[:password@]host1:26379,host2:26379,.../<master-name>[/db]`,
};

const DEFAULT_PORT = { cluster: 6379, sentinel: 26379 };

const SCHEME = /^(rediss?)(?:\+(cluster|sentinel))?:\/\//i;

/** A host (a name, IPv4, or IPv6 in brackets) and an optional port. */
const NODE = /^(\[[0-9a-f:.]+\]|[a-z0-9._-]+)(?::(\d{1,5}))?$/i;

/** Whether STORE_URL names Redis (in any of its forms) rather than SQLite or memory. */
export const isRedisUrl = (url: string): boolean => SCHEME.test(url);

/**
 * Parses a Redis STORE_URL. A bad one throws an Error whose message (to follow "STORE_URL: ") says what is wrong
 * and shows the expected form, never the URL itself: it may hold the password.
 */
export function parseRedisUrl(url: string): RedisTarget {
  const scheme = SCHEME.exec(url);
  const kind = scheme?.[2]?.toLowerCase() as 'cluster' | 'sentinel' | undefined;
  if (!scheme || !kind) {
    try {
      new URL(url);
    } catch {
      throw new Error(`is not a valid redis:// URL (${FORM.server()})`);
    }
    // ioredis turns TLS on for a lower-case rediss:// only.
    return { kind: 'server', url: url.replace(/^rediss?:/i, (s) => s.toLowerCase()) };
  }
  const name = `${scheme[1]!.toLowerCase()}+${kind}`;
  const invalid = (reason: string) => new Error(`is not a valid ${name}:// URL: ${reason} (${FORM[kind](name)})`);

  const rest = url.slice(scheme[0].length);
  if (/[?#]/.test(rest)) throw invalid('it takes no query string');
  // The user and password come before the last @ of the part before the first /: a / , or @ in them must be
  // percent-encoded, as in any URL.
  const slash = rest.indexOf('/');
  const authority = slash < 0 ? rest : rest.slice(0, slash);
  const path = slash < 0 ? '' : rest.slice(slash);
  const at = authority.lastIndexOf('@');
  let username: string | undefined;
  let password: string | undefined;
  if (at >= 0) {
    const userinfo = authority.slice(0, at);
    const colon = userinfo.indexOf(':');
    try {
      username = decodeURIComponent(colon < 0 ? userinfo : userinfo.slice(0, colon)) || undefined;
      password = colon < 0 ? undefined : decodeURIComponent(userinfo.slice(colon + 1)) || undefined;
    } catch {
      throw invalid('its user or password is not percent-encoded');
    }
  }
  const list = authority.slice(at + 1);
  if (!list) throw invalid(`it names no ${kind === 'cluster' ? 'node' : 'Sentinel'}`);
  const nodes: Address[] = [];
  for (const entry of list.split(',')) {
    const node = NODE.exec(entry.trim());
    const port = node?.[2] === undefined ? DEFAULT_PORT[kind] : Number(node[2]);
    if (!node || port < 1 || port > 65535) throw invalid('each node must be host:port, separated by commas');
    nodes.push({ host: node[1]!.replace(/^\[|\]$/g, ''), port });
  }
  const seeds: Seeds = { scheme: name, tls: name.startsWith('rediss'), nodes, username, password };
  if (kind === 'cluster') {
    if (path !== '' && path !== '/') throw invalid('a Redis Cluster has no databases to choose (no /db)');
    return { kind, ...seeds };
  }
  const parts = /^\/([^/]+)(?:\/(\d+))?\/?$/.exec(path);
  if (!parts) throw invalid('it names no master group');
  let group: string;
  try {
    group = decodeURIComponent(parts[1]!);
  } catch {
    throw invalid('the master group name is not percent-encoded');
  }
  return { kind, ...seeds, name: group, db: Number(parts[2] ?? 0) };
}

/** Where a Redis STORE_URL points, for messages: scheme, hosts, ports, master group and database; no user or password. */
export function describeRedisUrl(url: string): string {
  let target: RedisTarget;
  try {
    target = parseRedisUrl(url);
  } catch {
    return 'the configured URL';
  }
  if (target.kind === 'server') {
    const u = new URL(target.url);
    return `${u.protocol}//${u.host}${/^\/\d+$/.test(u.pathname) ? u.pathname : ''}`;
  }
  const hosts = target.nodes.map((n) => `${n.host.includes(':') ? `[${n.host}]` : n.host}:${n.port}`).join(',');
  const group = target.kind === 'sentinel' ? `/${encodeURIComponent(target.name)}/${target.db}` : '';
  return `${target.scheme}://${hosts}${group}`;
}

/** What the store sets of ioredis's options; each goes where its topology wants it. */
export type StoreClientOptions = Pick<
  RedisOptions,
  'keyPrefix' | 'lazyConnect' | 'enableOfflineQueue' | 'maxRetriesPerRequest' | 'commandTimeout'
>;

/** The ioredis client for a Redis STORE_URL: a Redis (one server, or a master found through Sentinel) or a Cluster. */
export function createRedisClient(url: string, options: StoreClientOptions): RedisClient {
  const target = parseRedisUrl(url);
  if (target.kind === 'server') return new Redis(target.url, options);
  const { keyPrefix, lazyConnect, enableOfflineQueue, ...perNode } = options;
  const signIn = { username: target.username, password: target.password, ...(target.tls ? { tls: {} } : {}) };
  if (target.kind === 'cluster')
    // A Cluster prefixes keys itself and keeps its own offline queue; the connection to each node takes the
    // command timeout, the retry limit and the credentials.
    return new Cluster(target.nodes, {
      keyPrefix,
      lazyConnect,
      enableOfflineQueue,
      redisOptions: { ...perNode, ...signIn },
    });
  const client = new Redis({
    ...options,
    ...signIn,
    sentinels: target.nodes,
    name: target.name,
    db: target.db,
    // The user and password are the Redis servers', not the Sentinels'. With rediss+sentinel:// both the
    // Sentinels and the servers speak TLS.
    ...(target.tls ? { enableTLSForSentinelMode: true, sentinelTLS: {} } : {}),
    sentinelCommandTimeout: options.commandTimeout,
    // Leave the old master as soon as a Sentinel announces the new one (+switch-master), rather than when the old
    // one is turned into a replica some seconds later: writes meanwhile would reach a master about to forget them.
    failoverDetector: true,
  });
  // quit() leaves the failover detector's connections to the Sentinels open, and the process with them (ioredis
  // 5, redis/ioredis#1362): disconnect() closes them once the client has ended.
  client.on('end', () => client.disconnect());
  return client;
}

/** How long the store waits at start for Redis to be ready (a Sentinel or a Cluster may otherwise retry forever). */
export const STARTUP_TIMEOUT_MS = 10_000;

/** Connects a lazyConnect client; fails with the last connection error if it is not ready within `timeoutMs`. */
export async function connectRedis(client: RedisClient, timeoutMs = STARTUP_TIMEOUT_MS): Promise<void> {
  let lastError = '';
  const remember = (error: Error) => {
    lastError = error.message;
  };
  client.on('error', remember);
  let timer: NodeJS.Timeout | undefined;
  const connecting = client.connect();
  // Once the time is up, its failure (when the caller disconnects) is no longer anyone's to handle.
  connecting.catch(() => undefined);
  try {
    await Promise.race([
      connecting,
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(
              new Error(`not ready within ${timeoutMs / 1000} s${lastError ? ` (last error: ${lastError})` : ''}`),
            ),
          timeoutMs,
        );
      }),
    ]);
  } finally {
    clearTimeout(timer);
    client.off('error', remember);
  }
}

/** The masters: the one server (or Sentinel's current master) of a Redis, every master of a Cluster. */
export const masters = (client: RedisClient): Redis[] =>
  client instanceof Cluster ? client.nodes('master') : [client];

/**
 * Whether writes that must survive a failover wait for a replica (see replicated() in redis.ts). Decided once, at
 * start, and not configurable: behind Sentinel always (a failover promotes a replica, so there must be one to
 * write to); a single server or a Cluster when a master reports a connected replica (INFO replication,
 * connected_slaves > 0), since only then can a failover promote a replica that lacks the write. A plain
 * redis:// without replicas never waits: nothing can take its place.
 */
export async function waitsForReplica(client: RedisClient): Promise<boolean> {
  if (client instanceof Redis && client.options.sentinels?.length) return true;
  const replicas = await Promise.all(
    masters(client).map(async (node) =>
      Number(/connected_slaves:(\d+)/.exec(await node.info('replication'))?.[1] ?? 0),
    ),
  );
  return replicas.some((n) => n > 0);
}

/**
 * Every key matching `match`, a batch at a time: one SCAN over a single Redis, one over each master of a Cluster
 * (a SCAN sees only the node it runs on). `match` is the full pattern, key prefix included: ioredis prefixes a
 * command's keys, not SCAN's MATCH, and the names come back in full, prefix included. To delete them, strip the
 * prefix before DEL or UNLINK (which ioredis prefixes again), one key per command so that a Cluster never sees
 * two slots in one command: deleteKeys does that.
 */
export async function* scanAll(client: RedisClient, match: string, count = 500): AsyncIterable<string[]> {
  for (const node of masters(client)) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', match, 'COUNT', count);
      cursor = next;
      if (keys.length) yield keys;
    } while (cursor !== '0');
  }
}

/** Deletes keys named in full (as scanAll gives them) through a client that prefixes keys; how many there were. */
export async function deleteKeys(client: RedisClient, keys: string[]): Promise<number> {
  const prefix = client.options.keyPrefix ?? '';
  const outside = keys.find((key) => !key.startsWith(prefix));
  if (outside !== undefined) throw new Error(`a key outside the prefix ${prefix} cannot be deleted through it`);
  const deleted = await Promise.all(keys.map((key) => client.unlink(key.slice(prefix.length))));
  return deleted.reduce((sum, n) => sum + n, 0);
}
