// The logger: redaction of secrets, the test suite's secret tap, and the server's daily error files.
import { join } from 'node:path';
import pino, { type Logger } from 'pino';
import pinoRoll from 'pino-roll';
import type { Config } from './config.ts';
import { secretTap } from './secret-tap.ts';

/** Secrets that must never reach a log line, wherever they appear in a logged object. */
export const REDACT = [
  'authorization',
  '*.authorization',
  'headers.authorization',
  'access_token',
  'refresh_token',
  'client_secret',
  'client_auth_code',
  'password',
  '*.password',
  'token',
  '*.token',
  '*.accessToken',
  '*.refreshToken',
  'requestToken',
];

const loggerOptions = (level: Config['logLevel']): pino.LoggerOptions => {
  const tap = secretTap();
  return {
    level,
    redact: { paths: REDACT, censor: '[redacted]' },
    // The test suite's secret scan reads every line as it is written.
    ...(tap ? { hooks: { streamWrite: (line: string) => (tap.log(line), line) } } : {}),
  };
};

export function createLogger(level: Config['logLevel'], destination?: pino.DestinationStream): Logger {
  // Under the test suite's secret scan a silent logger still writes every line, to the scan only.
  if (level === 'silent' && secretTap()) return pino(loggerOptions('trace'), { write: () => undefined });
  return pino(loggerOptions(level), destination);
}

/**
 * The server's logger: everything to standard output, and warnings and errors also to a file per day in
 * LOG_DIR, of which the last LOG_RETENTION_DAYS are kept.
 */
export async function createServerLogger(
  config: Config,
  stdout: pino.DestinationStream = process.stdout,
): Promise<Logger> {
  const files = await pinoRoll({
    file: join(config.logDir, 'errors'),
    extension: '.log',
    frequency: 'daily',
    dateFormat: 'yyyy-MM-dd',
    mkdir: true,
    limit: { count: config.logRetentionDays, removeOtherLogFiles: true },
  });
  return pino(
    loggerOptions(config.logLevel),
    pino.multistream([
      { level: config.logLevel === 'silent' ? 'silent' : 'trace', stream: stdout },
      { level: 'warn', stream: files },
    ]),
  );
}
