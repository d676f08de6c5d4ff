// The composition root: every collaborator of the app built from a Config (buildDeps, for the CLIs and tests), and
// the connector as a whole (composeConnector): the app, with what starts its background work and what stops it.
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import type { Hono } from 'hono';
import type { AppDeps, AppEnv } from './env.ts';
import { createApp } from './app.ts';
import { ConfigError, type Config } from './config.ts';
import { ConcurClient, type ConcurClientOptions } from './concur/client.ts';
import { createHostAllowlist } from './concur/hosts.ts';
import { CatalogFile, type CatalogLike } from './sources/catalog.ts';
import { createFieldSources, readFieldsFile } from './fields/fields.ts';
import { openStore } from './store/open.ts';
import type { Store } from './store/store.ts';
import type { SandboxConcur } from './sandbox/concur-state.ts';
import { Metrics } from './metrics.ts';
import { CompanyRegistry, type RegistryOptions } from './companies/registry.ts';
import { companyAccess, defaultCompany } from './companies/company.ts';
import { sandboxFieldsFile } from './sandbox/fields.ts';
import { connectSandboxCompany, sandboxConcur, setUpSandboxGlobex } from './sandbox/setup.ts';

export const DIST_DIR = fileURLToPath(new URL('../dist/', import.meta.url));

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
  /** Aborted when the server starts shutting down (default: never). */
  shutdown?: AbortSignal;
  /** Tests read the registry more often, or drop idle companies sooner. */
  registry?: Pick<RegistryOptions, 'refreshMs' | 'idleMs'>;
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
  const { company, items } = companyAccess({ config, store, concur, logger, now }, store);
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
  const registry = new CompanyRegistry({
    config,
    store,
    concur,
    logger,
    now,
    ...opts.registry,
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
    shutdown: opts.shutdown ?? new AbortController().signal,
    registry,
    companies: registry.directory(defaultCompany({ config, store, items, sources, company, catalog })),
  };
}

async function loadCatalog(config: Config, logger: Logger): Promise<CatalogFile> {
  return CatalogFile.open(config.catalogFile, logger).catch((error: NodeJS.ErrnoException) => {
    const reason =
      error.code === 'ENOENT' ? 'does not exist' : error.code === 'EISDIR' ? 'is a folder, not a file' : error.message;
    throw new ConfigError(`CATALOG_FILE: ${config.catalogFile} ${reason}`);
  });
}

/** The connector, built and not yet started. */
export interface Connector {
  deps: AppDeps;
  app: Hono<AppEnv>;
  /** Starts the background work: the sandbox company's connection, the company token's refresh, the catalog watch. */
  start(): Promise<void>;
  /** /readyz says "shutting down" from now on, so a load balancer sends no more. */
  drain(): void;
  /** Ends the background work and closes the store; call once requests in flight are done. */
  stop(): Promise<void>;
}

/** The connector for a configuration; with SANDBOX on, around a new fake Concur. */
export async function composeConnector(config: Config, opts: Omit<BuildOptions, 'shutdown'>): Promise<Connector> {
  const shutdown = new AbortController();
  const sandbox = opts.sandbox ?? (config.sandbox ? sandboxConcur(config) : undefined);
  const deps = await buildDeps(config, { ...opts, sandbox, shutdown: shutdown.signal });
  const file = deps.catalog instanceof CatalogFile ? deps.catalog : undefined;
  return {
    deps,
    app: createApp(deps),
    start: async () => {
      if (sandbox) await connectSandboxCompany(sandbox, deps.company);
      deps.company.start();
      await deps.registry.start();
      if (sandbox && config.sandbox) await setUpSandboxGlobex(sandbox, deps, deps.registry);
      file?.watch();
    },
    drain: () => shutdown.abort(),
    stop: async () => {
      shutdown.abort();
      deps.company.stop();
      deps.registry.stop();
      file?.close();
      deps.sources.close();
      await deps.store.close();
    },
  };
}
