// Builds every collaborator from a Config and serves the app over HTTP(S); used by index.ts, the CLIs and tests.
import { serve } from '@hono/node-server';
import { createServer as createHttpsServer } from 'node:https';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import pino, { type Logger } from 'pino';
import pinoRoll from 'pino-roll';
import { createApp, type AppDeps } from './app.ts';
import { ConfigError, type Config } from './config.ts';
import { ConcurClient, type ConcurClientOptions } from './concur/client.ts';
import { createHostAllowlist } from './concur/hosts.ts';
import { ExpenseApi } from './concur/expense.ts';
import { SessionTokens } from './concur/session-tokens.ts';
import { CompanyConnection } from './concur/company-connection.ts';
import { createItemAccess } from './concur/items.ts';
import { CatalogFile, type CatalogLike } from './sources/catalog.ts';
import { createFieldSources, readFieldsFile } from './fields/fields.ts';
import { openStore } from './store/open.ts';
import { secretTap } from './secret-tap.ts';
import type { Store } from './store/store.ts';
import { SANDBOX_COMPANY, SandboxConcur } from './sandbox/concur-state.ts';
import { Metrics } from './metrics.ts';
import { sandboxFieldsFile } from './sandbox/fields.ts';

export const DIST_DIR = fileURLToPath(new URL('../dist/', import.meta.url));

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

export interface BuildOptions {
  logger: Logger;
  catalog?: CatalogLike;
  store?: Store;
  now?: () => number;
  distDir?: string;
  /** Tests shorten timeouts and backoff. */
  client?: Partial<ConcurClientOptions>;
  sandbox?: SandboxConcur;
  metrics?: Metrics;
}

/** Every collaborator of the app, built from the configuration. */
export async function buildDeps(config: Config, opts: BuildOptions): Promise<AppDeps> {
  const { logger } = opts;
  const now = opts.now ?? Date.now;
  const catalog = opts.catalog ?? (await loadCatalog(config, logger));
  const store = opts.store ?? (await openStore(config.store, { now, logger }));
  const allowlist = createHostAllowlist(config.extraAllowedHosts);
  const metrics = opts.metrics ?? new Metrics();
  const concur = new ConcurClient({ oauth: config.oauth, allowlist, logger, now, metrics, ...opts.client });
  const company = new CompanyConnection({ store, client: concur, logger, now, revokeBase: config.revokeBase });
  const items = createItemAccess({
    expenses: new ExpenseApi(concur, { apiBase: config.apiBase }),
    sessionTokens: new SessionTokens(concur, store, now),
    company,
    apiBase: config.apiBase,
  });
  const fields = config.fieldsFile
    ? await readFieldsFile(config.fieldsFile).catch((error: Error) => {
        throw new ConfigError(`FIELDS_FILE: ${error.message}`);
      })
    : config.sandbox && !config.catalogFields.length
      ? await sandboxFieldsFile()
      : undefined;
  const sources = await createFieldSources(fields, {
    catalog,
    catalogFields: config.catalogFields,
    client: concur,
    logger,
    env: config.env,
  }).catch((error: NodeJS.ErrnoException) => {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(
      error.code
        ? `FIELDS_FILE: a catalog it names cannot be read (${error.message})`
        : `FIELDS_FILE: ${error.message}`,
    );
  });
  return {
    config,
    store,
    concur,
    items,
    sources,
    company,
    allowlist,
    catalog,
    logger,
    now,
    distDir: opts.distDir ?? DIST_DIR,
    sandbox: opts.sandbox,
    metrics,
  };
}

async function loadCatalog(config: Config, logger: Logger): Promise<CatalogFile> {
  return CatalogFile.open(config.catalogFile, logger).catch((error: NodeJS.ErrnoException) => {
    const reason =
      error.code === 'ENOENT' ? 'does not exist' : error.code === 'EISDIR' ? 'is a folder, not a file' : error.message;
    throw new ConfigError(`CATALOG_FILE: ${config.catalogFile} ${reason}`);
  });
}

export interface RunningServer {
  url: string;
  deps: AppDeps;
  sandbox?: SandboxConcur;
  close(): Promise<void>;
}

/** Concur calls only TLS 1.2+ hosts with ECDHE suites (protocol sheet §3): offer those first, and nothing weaker. */
export const TLS_CIPHERS = [
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
].join(':');

/**
 * Starts the connector. With port 0 the public URL is only known after listening, so the app is created then;
 * `configFor` derives the config from the bound address.
 */
export async function startServer(
  configFor: (boundUrl: string) => Config,
  opts: {
    port: number;
    host: string;
    logger?: Logger;
    distDir?: string;
    tls?: Config['tls'];
    /** How long shutdown waits for requests in flight (a write to Concur may take up to 45 s). */
    drainMs?: number;
  },
): Promise<RunningServer> {
  let handler: ((req: Request, env: unknown) => Response | Promise<Response>) | undefined;
  // Requests being handled: shutdown closes the store only once they are done (their audit records included).
  let inFlight = 0;
  let settled: (() => void) | undefined;
  const tls = opts.tls;
  const server = serve({
    // Until the app is built (catalog loading), say so rather than fail. The env carries the socket (client address).
    fetch: async (req, env) => {
      if (!handler)
        return new Response('The connector is starting; try again in a moment.', {
          status: 503,
          headers: { 'retry-after': '1' },
        });
      inFlight++;
      try {
        return await handler(req, env);
      } finally {
        if (--inFlight === 0) settled?.();
      }
    },
    port: opts.port,
    hostname: opts.host,
    ...(tls
      ? {
          createServer: createHttpsServer,
          serverOptions: {
            cert: readFileSync(tls.certFile),
            key: readFileSync(tls.keyFile),
            minVersion: 'TLSv1.2' as const,
            ciphers: TLS_CIPHERS,
            honorCipherOrder: true,
          },
        }
      : {}),
  });
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  const bound = `${tls ? 'https' : 'http'}://${opts.host.includes(':') ? `[${opts.host}]` : opts.host}:${port}`;
  const config = configFor(bound);
  const logger = opts.logger ?? createLogger(config.logLevel);
  try {
    const sandbox = config.sandbox
      ? new SandboxConcur({
          base: `${config.publicUrl}/sandbox/concur`,
          clientId: config.oauth.clientId,
          clientSecret: config.oauth.clientSecret,
          redirectUri: config.oauth.redirectUri,
        })
      : undefined;
    let draining = false;
    const deps = await buildDeps(config, {
      logger,
      distDir: opts.distDir,
      sandbox,
      metrics: new Metrics({ processMetrics: true }),
    });
    deps.draining = () => draining;
    handler = createApp(deps).fetch;
    // The sandbox's fake Concur is new at each start: its company is connected afresh, as App Center would.
    if (sandbox)
      await deps.company.connect(SANDBOX_COMPANY.id, sandbox.issueCompanyRequestToken(), SANDBOX_COMPANY.adminId);
    deps.company.start();
    if (deps.catalog instanceof CatalogFile) deps.catalog.watch();
    return {
      url: bound,
      deps,
      sandbox,
      /**
       * Graceful: no new connections, idle ones closed, and requests in flight (a write to Concur) finish, for up
       * to drainMs; only then are the remaining connections cut.
       */
      close: () =>
        new Promise((resolve, reject) => {
          draining = true;
          const connections = server as unknown as {
            closeAllConnections?: () => void;
            closeIdleConnections?: () => void;
          };
          const cut = setTimeout(() => connections.closeAllConnections?.(), opts.drainMs ?? 50_000);
          const release = async () => {
            // A connection cut at the deadline does not stop its handler: let it finish with the store still open.
            if (inFlight > 0) await new Promise<void>((done) => (settled = done));
            deps.company.stop();
            if (deps.catalog instanceof CatalogFile) deps.catalog.close();
            deps.sources.close();
            await deps.store.close();
          };
          server.close((err) => {
            clearTimeout(cut);
            release().then(() => (err ? reject(err) : resolve()), reject);
          });
          connections.closeIdleConnections?.();
        }),
    };
  } catch (error) {
    server.close();
    throw error;
  }
}
