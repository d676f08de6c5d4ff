// Every collaborator of the app, built from a Config (the composition root): used by serve.ts, the CLIs and tests.
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import type { AppDeps } from './env.ts';
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
import type { Store } from './store/store.ts';
import type { SandboxConcur } from './sandbox/concur-state.ts';
import { Metrics } from './metrics.ts';
import { sandboxFieldsFile } from './sandbox/fields.ts';

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
