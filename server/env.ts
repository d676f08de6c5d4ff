// The app's environment, as every route and middleware sees it: its collaborators (AppDeps), what a request
// carries through Hono's context (AppEnv), and the factory every sub-app and middleware is made with. A file of
// its own, so routes import neither app.ts nor each other.
import { createFactory } from 'hono/factory';
import type { Logger } from 'pino';
import type { Config } from './config.ts';
import type { Store } from './store/store.ts';
import type { Session } from './sessions/session.ts';
import type { ConcurClient } from './concur/client.ts';
import type { ItemAccess } from './sessions/items.ts';
import type { CompanyConnection } from './concur/company-connection.ts';
import type { HostAllowlist } from './concur/hosts.ts';
import type { CatalogLike } from './sources/catalog.ts';
import type { FieldSources } from './fields/fields.ts';
import type { SandboxConcur } from './sandbox/concur-state.ts';
import type { Metrics } from './metrics.ts';
import type { CompanyDirectory, CompanyRegistry } from './companies/registry.ts';
import type { Company } from './companies/company.ts';
import type { LaunchesInFlight } from './launch/handoffs.ts';
import type { ItemReads } from './popup/item-reads.ts';

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
  /** Aborted once the server starts shutting down: /readyz then answers 503 so a load balancer sends no more. */
  shutdown: AbortSignal;
  /**
   * Which company a request belongs to: the registered companies, and the configuration's own one (whose parts are
   * store, items, sources, company and catalog above). createApp makes it again from `registry` and those parts.
   */
  companies: CompanyDirectory;
  /** The registered companies, read from the store; started and stopped with the connector. */
  registry: CompanyRegistry;
  /** Launches this instance is completing while their pages load (createApp makes them when not given). */
  launches?: LaunchesInFlight;
  /** Items launches on this instance started reading, for the popups' first context and searches. */
  itemReads?: ItemReads;
}

export interface AppEnv {
  Variables: {
    requestId: string;
    /** A logger whose lines carry the request id, made on first use: most answers log only their request line. */
    log: () => Logger;
    session: Session;
    sessionKey: string;
    /** The company the session belongs to (found from its token, never from anything the request names). */
    company: Company;
  };
}

/** Makes the app, its sub-apps and middleware, all typed with AppEnv (Hono's createFactory). */
export const factory = createFactory<AppEnv>();
