// Builds every collaborator from a Config and serves the app over HTTP; used by index.ts and end-to-end tests.
import { serve } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import pino, { type Logger } from 'pino';
import { createApp } from './app.js';
import type { Config } from './config.js';
import { ConcurClient } from './concur/client.js';
import { createHostAllowlist } from './concur/hosts.js';
import { loadCatalogFile } from './sources/catalog.js';
import { createMemoryStore } from './store/memory.js';
import { SandboxConcur } from './sandbox/concur-state.js';

export const DIST_DIR = fileURLToPath(new URL('../dist/', import.meta.url));

/** Secrets that must never reach a log line, wherever they appear in a logged object. */
export const REDACT = [
  'authorization', '*.authorization', 'headers.authorization', 'access_token', 'refresh_token', 'client_secret',
  'client_auth_code', 'password', '*.password', 'token', '*.token', '*.accessToken', '*.refreshToken',
];

export function createLogger(level: Config['logLevel'], destination?: pino.DestinationStream): Logger {
  return pino({ level, redact: { paths: REDACT, censor: '[redacted]' } }, destination);
}

export interface RunningServer {
  url: string;
  sandbox?: SandboxConcur;
  close(): Promise<void>;
}

/**
 * Starts the connector. With port 0 the public URL is only known after listening, so the app is created then;
 * `configFor` lets a caller derive the config from the bound address.
 */
export async function startServer(
  configFor: (boundUrl: string) => Config,
  opts: { port: number; host: string; logger?: Logger; distDir?: string },
): Promise<RunningServer> {
  let handler: ((req: Request) => Response | Promise<Response>) | undefined;
  const server = serve({ fetch: (req) => handler!(req), port: opts.port, hostname: opts.host });
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  const bound = `http://${opts.host.includes(':') ? `[${opts.host}]` : opts.host}:${port}`;
  const config = configFor(bound);
  const logger = opts.logger ?? createLogger(config.logLevel);
  try {
    const catalog = await loadCatalogFile(config.catalogFile);
    for (const p of catalog.problems) logger.warn({ file: config.catalogFile, line: p.line }, `catalog row skipped: ${p.message}`);
    logger.info({ file: config.catalogFile, items: catalog.size }, 'catalog loaded');
    const allowlist = createHostAllowlist(config.extraAllowedHosts);
    const sandbox = config.sandbox
      ? new SandboxConcur({
          base: `${config.publicUrl}/sandbox/concur`,
          clientId: config.oauth.clientId,
          clientSecret: config.oauth.clientSecret,
          redirectUri: config.oauth.redirectUri,
        })
      : undefined;
    const app = createApp({
      config,
      store: createMemoryStore(),
      concur: new ConcurClient({ oauth: config.oauth, allowlist, logger }),
      allowlist,
      catalog,
      logger,
      now: Date.now,
      distDir: opts.distDir ?? DIST_DIR,
      sandbox,
    });
    handler = app.fetch;
    return {
      url: bound,
      sandbox,
      close: () => new Promise((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
      }),
    };
  } catch (error) {
    server.close();
    throw error;
  }
}
