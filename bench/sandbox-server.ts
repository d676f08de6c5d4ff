// The sandbox in this process for the browser benches: silent, its own data folder, no refused-launch limit (a
// bench launches from one address), and whatever else a bench sets.
import { loadConfig } from '../server/config.ts';
import { createLogger } from '../server/logger.ts';
import { startServer, type RunningServer } from '../server/serve.ts';
import { tempDataDir } from '../test/data-dir.ts';

export function startSandboxServer(env: Record<string, string> = {}): Promise<RunningServer> {
  return startServer(
    (bound) =>
      loadConfig({
        PORT: '0',
        PUBLIC_URL: bound,
        DATA_DIR: tempDataDir(),
        LOG_LEVEL: 'silent',
        RATE_LIMIT_LAUNCH_FAILURES_PER_MINUTE: '0',
        ...env,
      }),
    { port: 0, host: '127.0.0.1', logger: createLogger('silent') },
  );
}
