// npm run doctor: what to enter in Concur, and proof that the running server is set up right.
import { ConfigError, loadConfig } from '../config.ts';
import { runDoctor } from '../doctor.ts';
import { openStore } from '../store/open.ts';
import { createLogger } from '../logger.ts';
import { COMPANY_CONNECTION, statusOf } from '../concur/company-connection.ts';

let config;
try {
  config = loadConfig(process.env);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stdout.write(`✗ ${error.message}\nFix the configuration and run npm run doctor again.\n`);
  process.exit(1);
}
// The connection lives in the servers' store; a memory store is the server's own, out of this command's reach.
const cfg = config;
const connection =
  cfg.store.kind === 'memory'
    ? undefined
    : async () => {
        const store = await openStore(cfg.store, { logger: createLogger('silent'), existing: true });
        try {
          const record = await store.getConnection(COMPANY_CONNECTION);
          return record && statusOf(record);
        } finally {
          await store.close();
        }
      };
const report = await runDoctor(config, { connection });
process.stdout.write(`${report.lines.join('\n')}\n`);
process.exit(report.ok ? 0 : 1);
