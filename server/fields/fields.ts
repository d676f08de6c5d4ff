// FIELDS_FILE: which data source each Launch URL field searches. Validated with zod; every mistake is reported
// with its exact path in the file. Without the file, the fields in CATALOG_FIELDS search CATALOG_FILE. A field that
// neither names has no source: its launches are refused (the field id is not signed, so a user can edit it).
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import type { Logger } from 'pino';
import type { ConcurClient } from '../concur/client.ts';
import { CatalogFile, type CatalogLike } from '../sources/catalog.ts';
import { CatalogSource } from '../sources/catalog-source.ts';
import { ContextFilterConfig } from '../sources/context-filter.ts';
import { HttpSource, HttpSourceConfig } from '../sources/http-source.ts';
import { ConcurListSource, ConcurListSourceConfig } from '../sources/concur-list-source.ts';
import { ConcurRequestSource, ConcurRequestSourceConfig } from '../sources/concur-request-source.ts';
import type { DataSource } from '../sources/source.ts';
import type { Product } from '../../src/contract/api.ts';
import { FlowConfig } from './flows.ts';
import { withinFilter } from '../sources/context-filter.ts';
import { checkFetchList, FetchListConfig } from '../fetch-list/config.ts';
import { FetchLists } from '../fetch-list/lists.ts';

const CatalogSourceConfig = z
  .object({
    type: z.literal('catalog'),
    title: z.string().default('the catalog'),
    /** A CSV or JSON catalog; relative paths are read from the folder the server starts in. */
    file: z.string().min(1).optional(),
    filters: z.array(ContextFilterConfig).default([]),
  })
  .strict();

const SourceConfig = z.discriminatedUnion('type', [
  CatalogSourceConfig,
  HttpSourceConfig,
  ConcurListSourceConfig,
  ConcurRequestSourceConfig,
]);

export const FieldsFile = z
  .object({
    /** Named sources. */
    sources: z.record(z.string().regex(/^[\w-]+$/, 'source names are letters, digits, - and _'), SourceConfig),
    /** Launch URL field id (custom12, orgUnit2) -> source name. */
    fields: z.record(z.string(), z.string()).default({}),
    /** Launch URL field id -> a wizard whose answers are written together (see flows.ts). */
    flows: z.record(z.string(), FlowConfig).default({}),
    /**
     * Launch URL field id -> whose forms it serves: "expense" (a report's header, entry, allocation), "request" (a
     * travel request's header, expected expense, allocation: Concur Request) or "both". A field not listed serves
     * Expense only, so a file written before Concur Request launches keeps its meaning.
     */
    products: z
      .record(z.string(), z.enum(['expense', 'request', 'both'], { error: 'is expense, request or both' }))
      .default({}),
    /** Concur lists answered through the Fetch List callout, each from a catalog source (see fetch-list/config.ts). */
    fetchList: FetchListConfig.optional(),
    /**
     * Once "the source for fields not listed". Refused with a clear message: the field id in a launch is not
     * signed, so a source for any field would let a user aim a write at any field by editing it.
     */
    default: z.unknown().optional(),
  })
  .strict()
  .superRefine((f, ctx) => {
    for (const [field, source] of Object.entries(f.fields)) {
      if (!f.sources[source])
        ctx.addIssue({
          code: 'custom',
          path: ['fields', field],
          message: `names the source "${source}", which is not defined under sources`,
        });
    }
    const single = new Set(Object.keys(f.fields).map((k) => k.toLowerCase()));
    for (const [field, flow] of Object.entries(f.flows)) {
      if (single.has(field.toLowerCase()))
        ctx.addIssue({
          code: 'custom',
          path: ['flows', field],
          message: `${field} is also listed under fields; a field has either a single search or a flow`,
        });
      flow.steps.forEach((step, i) => {
        if (step.kind !== 'search') return;
        const source = f.sources[step.source];
        if (!source)
          ctx.addIssue({
            code: 'custom',
            path: ['flows', field, 'steps', i, 'source'],
            message: `names the source "${step.source}", which is not defined under sources`,
          });
        else if (step.within && source.type !== 'catalog')
          ctx.addIssue({
            code: 'custom',
            path: ['flows', field, 'steps', i, 'within'],
            message:
              'narrows by a column, which only catalog sources have; ' + `"${step.source}" is a ${source.type} source`,
          });
      });
    }
    checkFetchList(f.fetchList, f.sources, ctx);
    const configured = new Set([...Object.keys(f.fields), ...Object.keys(f.flows)].map((k) => k.toLowerCase()));
    for (const field of Object.keys(f.products)) {
      if (!configured.has(field.toLowerCase()))
        ctx.addIssue({
          code: 'custom',
          path: ['products', field],
          message: `${field} is not listed under fields or flows; list it there first`,
        });
    }
    if (f.default !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['default'],
        message:
          'a source for every field not listed is no longer offered (a user could point a launch at any field): ' +
          'list each Launch URL field under fields',
      });
    }
  });
export type FieldsFile = z.infer<typeof FieldsFile>;

export class FieldsFileError extends Error {
  override name = 'FieldsFileError';
}

/** Reads and checks a fields file; the error names the path of the first mistake, e.g. sources.erp.url. */
export async function readFieldsFile(path: string): Promise<FieldsFile> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new FieldsFileError(`${path} cannot be read as JSON (${(error as Error).message})`);
  }
  const parsed = FieldsFile.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new FieldsFileError(`${path}: ${issue.path.join('.') || '(top level)'}: ${issue.message}`);
  }
  return parsed.data;
}

export interface FieldSources {
  /**
   * The field id as the configuration spells it (Concur's own spelling), whatever case a launch used; undefined for a
   * field the configuration does not name (a single search or a wizard): only named fields can be launched. With a
   * product, undefined too for a field that does not serve that product's forms (`products`).
   */
  canonical(fieldId: string, product?: Product): string | undefined;
  /** The source a field with a single search searches; undefined for a field the configuration does not name. */
  forField(fieldId: string): DataSource | undefined;
  /** The field's wizard, when it has one. */
  flowFor(fieldId: string): FlowConfig | undefined;
  /** The source of a wizard's search step (narrowed by its `within` rule); undefined when there is no such step. */
  forStep(fieldId: string, stepId: string): DataSource | undefined;
  /** Every configured wizard, by field id as written in the file. */
  flows(): [string, FlowConfig][];
  /** The Concur lists the Fetch List callout is answered for, when the configuration maps any. */
  fetchList(): FetchLists | undefined;
  close(): void;
}

export interface FieldSourcesDeps {
  /** The catalog from CATALOG_FILE, used when no fields file is given and by catalog sources without a file. */
  catalog: CatalogLike;
  /** Without a fields file: the fields (CATALOG_FIELDS) that search the catalog. */
  catalogFields?: readonly string[];
  client: ConcurClient;
  logger: Logger;
  env: Record<string, string | undefined>;
  /**
   * A registered company's catalogs are kept in the store, not in files: a catalog source's `file` then names one
   * of them (the name it was set under), read through this.
   */
  openCatalog?: (name: string) => Promise<CatalogLike>;
}

export async function createFieldSources(file: FieldsFile | undefined, deps: FieldSourcesDeps): Promise<FieldSources> {
  if (!file) {
    const catalog = new CatalogSource(deps.catalog);
    const named = new Map((deps.catalogFields ?? []).map((f) => [f.toLowerCase(), f]));
    return {
      // CATALOG_FIELDS are Expense's fields: a field serves Concur Request only through a fields file's products.
      canonical: (fieldId, product) => (product === 'request' ? undefined : named.get(fieldId.toLowerCase())),
      forField: (fieldId) => (named.has(fieldId.toLowerCase()) ? catalog : undefined),
      flowFor: () => undefined,
      forStep: () => undefined,
      flows: () => [],
      fetchList: () => undefined,
      close: () => undefined,
    };
  }
  const opened: CatalogFile[] = [];
  const sources = new Map<string, DataSource>();
  /** Catalog sources' catalogs and filters, for steps that narrow them further. */
  const catalogs = new Map<
    string,
    { catalog: CatalogLike; filters: FieldsFile['sources'][string] & { type: 'catalog' } }
  >();
  for (const [name, cfg] of Object.entries(file.sources)) {
    switch (cfg.type) {
      case 'catalog': {
        let catalog = deps.catalog;
        if (cfg.file && deps.openCatalog) {
          catalog = await deps.openCatalog(cfg.file);
        } else if (cfg.file) {
          const f = await CatalogFile.open(cfg.file, deps.logger);
          f.watch();
          opened.push(f);
          catalog = f;
        }
        sources.set(name, new CatalogSource(catalog, cfg.filters, cfg.title));
        catalogs.set(name, { catalog, filters: cfg });
        break;
      }
      case 'http':
        sources.set(name, new HttpSource(cfg, deps.logger, deps.env));
        break;
      case 'concur-list':
        sources.set(name, new ConcurListSource(cfg, deps.client));
        break;
      case 'concur-request':
        sources.set(name, new ConcurRequestSource(cfg, deps.client));
        break;
    }
  }
  const byField = new Map(
    Object.entries(file.fields).map(([field, source]) => [field.toLowerCase(), sources.get(source)!]),
  );
  const flows = new Map(Object.entries(file.flows).map(([field, flow]) => [field.toLowerCase(), flow]));
  const stepSources = new Map<string, DataSource>();
  for (const [field, flow] of flows) {
    for (const step of flow.steps) {
      if (step.kind !== 'search') continue;
      const narrowed = step.within && catalogs.get(step.source);
      stepSources.set(
        `${field}|${step.id}`,
        narrowed
          ? new CatalogSource(
              narrowed.catalog,
              [...narrowed.filters.filters, withinFilter(step.within!.column)],
              narrowed.filters.title,
            )
          : sources.get(step.source)!,
      );
    }
  }
  const spelled = new Map([...Object.keys(file.fields), ...Object.keys(file.flows)].map((f) => [f.toLowerCase(), f]));
  const products = new Map(Object.entries(file.products).map(([f, p]) => [f.toLowerCase(), p]));
  const serves = (fieldId: string, product: Product | undefined) => {
    const served = products.get(fieldId.toLowerCase()) ?? 'expense';
    return product === undefined || served === 'both' || served === product;
  };
  const lists =
    file.fetchList &&
    new FetchLists(
      file.fetchList,
      (name) => {
        const { catalog, filters } = catalogs.get(name)!;
        return { catalog, filters: filters.filters };
      },
      deps.logger,
    );
  return {
    canonical: (fieldId, product) => (serves(fieldId, product) ? spelled.get(fieldId.toLowerCase()) : undefined),
    forField: (fieldId) => byField.get(fieldId.toLowerCase()),
    flowFor: (fieldId) => flows.get(fieldId.toLowerCase()),
    forStep: (fieldId, stepId) => stepSources.get(`${fieldId.toLowerCase()}|${stepId}`),
    flows: () => Object.entries(file.flows),
    fetchList: () => lists,
    close: () => opened.forEach((f) => f.close()),
  };
}
