// The connector's entry point and the only reader of process.env.
import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import { ConfigError, loadConfig } from './config.ts';
import { createServerLogger } from './logger.ts';
import { startServer } from './serve.ts';

function fail(message: string): never {
  process.stderr.write(`Configuration error: ${message}\n`);
  process.exit(1);
}

let config;
try {
  config = loadConfig(process.env);
} catch (error) {
  if (error instanceof ConfigError) fail(error.message);
  throw error;
}

if (config.tls) {
  // Check the certificate and key now, so a bad file is one line, not a stack trace.
  try {
    createSecureContext({ cert: readFileSync(config.tls.certFile), key: readFileSync(config.tls.keyFile) });
  } catch (error) {
    fail(
      `TLS_CERT_FILE/TLS_KEY_FILE: cannot use ${config.tls.certFile} and ${config.tls.keyFile} ` +
        `(${(error as Error).message})`,
    );
  }
}

const logger = await createServerLogger(config).catch((error: Error) =>
  fail(`LOG_DIR: cannot write logs to ${config.logDir} (${error.message})`),
);
try {
  const running = await startServer(() => config, { port: config.port, host: config.host, logger, tls: config.tls });
  logger.info(
    { url: config.publicUrl, listening: running.url, sandbox: config.sandbox },
    config.sandbox
      ? `Concur sandbox ready: open ${config.publicUrl}/ for the simulated expense form`
      : `Connector ready at ${config.publicUrl}`,
  );
  const stop = () => void running.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
} catch (error) {
  const e = error as NodeJS.ErrnoException;
  if (e.code === 'EADDRINUSE') fail(`PORT: ${config.port} is already in use`);
  if (e.code === 'ENOENT' && e.path && config.tls && [config.tls.certFile, config.tls.keyFile].includes(e.path))
    fail(`TLS_CERT_FILE/TLS_KEY_FILE: ${e.path} does not exist`);
  if (error instanceof ConfigError) fail(error.message);
  throw error;
}
