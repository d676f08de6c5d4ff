// npm run audit -- --since 7d [--json]: every write-back attempt with time, user, item, fields, old and new
// values, result and Concur's correlation id.
import { ConfigError, loadConfig } from '../config.js';
import { runAudit } from '../audit.js';

let config;
try {
  config = loadConfig(process.env);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stdout.write(`✗ ${error.message}\n`);
  process.exit(1);
}
const report = await runAudit(config, process.argv.slice(2));
process.stdout.write(`${report.lines.join('\n')}\n`);
process.exit(report.ok ? 0 : 1);
