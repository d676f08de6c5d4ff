// The connector in its own process for a bench: the sandbox, a fresh data folder, LOG_LEVEL=error and the rate
// limits off (a load generator is one address), stopped when the bench exits.
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startConnector } from '../test/connector-process.ts';
import { freePort } from '../test/net.ts';

const started: ChildProcess[] = [];
process.on('exit', () => started.forEach((c) => c.kill()));

export interface BenchConnector {
  url: string;
  child: ChildProcess;
  /** Its data folder, for files a bench adds (a catalog). */
  dir: string;
}

/** Starts one; `env` adds to or overrides the bench settings. */
export async function startBenchConnector(
  env: Record<string, string> = {},
  dir = mkdtempSync(join(tmpdir(), 'leu-bench-')),
): Promise<BenchConnector> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const { child } = await startConnector({
    PORT: String(port),
    PUBLIC_URL: url,
    DATA_DIR: dir,
    LOG_DIR: join(dir, 'logs'),
    LOG_LEVEL: 'error',
    RATE_LIMIT_SEARCHES_PER_MINUTE: '0',
    RATE_LIMIT_LAUNCH_FAILURES_PER_MINUTE: '0',
    ...env,
  });
  started.push(child);
  return { url, child, dir };
}
