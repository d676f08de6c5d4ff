// What the commands that work on the servers' store share: one readable line and exit 1 for a mistake, and the
// configuration from the environment, refusing a memory store (nothing would outlive the command).
import { ConfigError, loadConfig, type Config } from '../config.ts';

export function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

export function storeCommandConfig(): Config {
  let config: Config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) fail(`Configuration error: ${error.message}`);
    throw error;
  }
  if (config.store.kind === 'memory')
    fail('STORE_URL=memory keeps nothing after this command ends: point STORE_URL at the servers’ store.');
  return config;
}
