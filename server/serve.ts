// Serves the app over HTTP(S): TLS settings, listening, and draining on close; used by index.ts and tests.
import { serve } from '@hono/node-server';
import { createServer as createHttpsServer } from 'node:https';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { AppDeps } from './env.ts';
import type { Config } from './config.ts';
import type { SandboxConcur } from './sandbox/concur-state.ts';
import { Metrics } from './metrics.ts';
import { composeConnector } from './compose.ts';
import { createLogger } from './logger.ts';

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
    const connector = await composeConnector(config, {
      logger,
      distDir: opts.distDir,
      metrics: new Metrics({ processMetrics: true }),
    });
    const { deps } = connector;
    handler = connector.app.fetch;
    await connector.start();
    return {
      url: bound,
      deps,
      sandbox: deps.sandbox,
      /**
       * Graceful: no new connections, idle ones closed, and requests in flight (a write to Concur) finish, for up
       * to drainMs; only then are the remaining connections cut.
       */
      close: () =>
        new Promise((resolve, reject) => {
          connector.drain();
          const connections = server as unknown as {
            closeAllConnections?: () => void;
            closeIdleConnections?: () => void;
          };
          const cut = setTimeout(() => connections.closeAllConnections?.(), opts.drainMs ?? 50_000);
          const release = async () => {
            // A connection cut at the deadline does not stop its handler: let it finish with the store still open.
            if (inFlight > 0) await new Promise<void>((done) => (settled = done));
            await connector.stop();
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
