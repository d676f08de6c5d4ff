// Opens the store the configuration names: the embedded SQLite file (default), Redis, or memory.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { ConfigError, type Config } from '../config.js';
import { parseKey } from '../concur/secret-box.js';
import { createMemoryStore } from './memory.js';
import { createRedisStore } from './redis.js';
import { createSqliteStore } from './sqlite.js';
import type { Store } from './store.js';

export async function openStore(config: Config['store'], now?: () => number): Promise<Store> {
  switch (config.kind) {
    case 'memory':
      return createMemoryStore({ now });
    case 'redis':
      return createRedisStore({ url: config.url, key: config.key, prefix: config.prefix, now }).catch((error: Error) => {
        throw new ConfigError(`STORE_URL: Redis at ${redactUrl(config.url)} cannot be reached (${error.message})`);
      });
    case 'sqlite':
      try {
        return createSqliteStore({ file: config.file, key: config.key ?? sandboxKey(config.keyFile), now });
      } catch (error) {
        throw new ConfigError(`STORE_URL: the SQLite file ${config.file} cannot be opened (${(error as Error).message})`);
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
    if (!key) throw new Error(`${file} does not hold a 32-byte key; delete it to make a new one (open sessions are then lost)`);
    return key;
  }
  const key = randomBytes(32);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${key.toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
  return key;
}

/** A Redis URL without its password, for messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'the configured URL';
  }
}
