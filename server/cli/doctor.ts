// npm run doctor: what to enter in Concur, and proof that the running server is set up right.
import { ConfigError, loadConfig } from '../config.ts';
import { runDoctor } from '../doctor.ts';

let config;
try {
  config = loadConfig(process.env);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stdout.write(`✗ ${error.message}\nFix the configuration and run npm run doctor again.\n`);
  process.exit(1);
}
const report = await runDoctor(config);
process.stdout.write(`${report.lines.join('\n')}\n`);
process.exit(report.ok ? 0 : 1);
