// The app's environment, as every route and middleware sees it: its collaborators (AppDeps) and what a request
// carries through Hono's context (AppEnv). Types only, in a file of their own, so routes import neither app.ts nor
// each other.
import type { Logger } from 'pino';
import type { Config } from './config.ts';
import type { Store, Session } from './store/store.ts';
import type { ConcurClient } from './concur/client.ts';
import type { ItemAccess } from './concur/items.ts';
import type { CompanyConnection } from './concur/company-connection.ts';
import type { HostAllowlist } from './concur/hosts.ts';
import type { CatalogLike } from './sources/catalog.ts';
import type { FieldSources } from './fields/fields.ts';
import type { SandboxConcur } from './sandbox/concur-state.ts';
import type { Metrics } from './metrics.ts';

export interface AppDeps {
  config: Config;
  store: Store;
  concur: ConcurClient;
  /** Reads and writes the item a session names. */
  items: ItemAccess;
  /** Which data source each Launch URL field searches. */
  sources: FieldSources;
  /** The company's connection to Concur: entries (and submitted reports) are written with its token. */
  company: CompanyConnection;
  allowlist: HostAllowlist;
  catalog: CatalogLike;
  logger: Logger;
  now: () => number;
  /** Where the built popup app lives (vite's outDir). */
  distDir: string;
  /** The fake Concur, present when the sandbox is on. */
  sandbox?: SandboxConcur;
  metrics: Metrics;
  /** Set while the server shuts down: /readyz then answers 503 so a load balancer sends no more. */
  draining?: () => boolean;
}

export interface AppEnv {
  Variables: {
    requestId: string;
    /** A logger whose lines carry the request id, made on first use: most answers log only their request line. */
    log: () => Logger;
    session: Session;
    sessionKey: string;
  };
}
