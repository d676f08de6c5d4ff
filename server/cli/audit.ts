// npm run audit -- --since 7d [--json]: every write-back attempt with time, user, item, fields, old and new
// values, result and Concur's correlation id.
import { ConfigError, loadConfig } from '../config.ts';
import { runAudit } from '../audit.ts';

try {
  const report = await runAudit(loadConfig(process.env), process.argv.slice(2));
  process.stdout.write(`${report.lines.join('\n')}\n`);
  process.exit(report.ok ? 0 : 1);
} catch (error) {
  // One line, never a stack trace: a configuration problem, or a store that cannot be read.
  const reason =
    error instanceof ConfigError ? error.message : `the audit log cannot be read (${(error as Error).message})`;
  process.stdout.write(`✗ ${reason}\n`);
  process.exit(1);
}
