// Opens the store the configuration names: the embedded SQLite file (default), Redis, or memory.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { Logger } from 'pino';
import { dirname } from 'node:path';
import { ConfigError, type Config } from '../config.ts';
import { parseKey } from '../crypto/secret-box.ts';
import { createMemoryStore } from './memory.ts';
import { createRedisStore } from './redis.ts';
import { describeRedisUrl } from './redis-connection.ts';
import { createSqliteStore } from './sqlite.ts';
import type { Store } from './store.ts';

export interface OpenOptions {
  now?: () => number;
  logger?: Logger;
  /** Only read an existing store (npm run audit): never create a file or a key. */
  existing?: boolean;
}

export async function openStore(config: Config['store'], opts: OpenOptions = {}): Promise<Store> {
  const { now, logger } = opts;
  switch (config.kind) {
    case 'memory':
      return createMemoryStore({ now });
    case 'redis':
      return createRedisStore({ url: config.url, key: config.key, prefix: config.prefix, now, logger }).catch(
        (error: Error) => {
          if (error instanceof ConfigError) throw error;
          throw new ConfigError(
            `STORE_URL: Redis at ${redactUrl(config.url)} cannot be reached ` +
              `(${error.message.replaceAll(config.url, redactUrl(config.url))})`,
          );
        },
      );
    case 'sqlite':
      if (opts.existing && !existsSync(config.file))
        throw new ConfigError(
          `STORE_URL: there is no store at ${config.file} (run this with the server's STORE_URL or DATA_DIR)`,
        );
      try {
        // Reading the audit log needs no key: a stand-in one opens the file (sessions are never read then).
        const key = config.key ?? (opts.existing ? randomBytes(32) : sandboxKey(config.keyFile));
        return createSqliteStore({ file: config.file, key, now, checkKey: !opts.existing });
      } catch (error) {
        if (error instanceof ConfigError) throw error;
        throw new ConfigError(
          `STORE_URL: the SQLite file ${config.file} cannot be opened (${(error as Error).message})`,
        );
      }
  }
}

/** The sandbox's store key: made on first start, readable by its owner only, and kept beside the data. */
function sandboxKey(file: string): Buffer {
  let text: string | undefined;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  if (text !== undefined) {
    const key = parseKey(text);
    if (!key)
      throw new Error(`${file} does not hold a 32-byte key; delete it to make a new one (open sessions are then lost)`);
    return key;
  }
  const key = randomBytes(32);
  // The folder holds the key, the audit log and sealed sessions: its owner only.
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(file, `${key.toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
  return key;
}

/**
 * Where a Redis URL points, for messages: scheme, hosts, ports, master group and database only (no user, password or
 * query), for redis:// and the redis+cluster:// and redis+sentinel:// forms alike.
 */
export const redactUrl = (url: string): string => describeRedisUrl(url);
