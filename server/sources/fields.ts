// FIELDS_FILE: which data source each Launch URL field searches. Validated with zod; every mistake is reported
// with its exact path in the file. Without the file, every field searches CATALOG_FILE.
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import type { Logger } from 'pino';
import type { ConcurClient } from '../concur/client.js';
import { CatalogFile, type CatalogLike } from './catalog.js';
import { CatalogSource } from './catalog-source.js';
import { ContextFilterConfig } from './context-filter.js';
import { HttpSource, HttpSourceConfig } from './http-source.js';
import { ConcurListSource, ConcurListSourceConfig } from './concur-list-source.js';
import { ConcurRequestSource, ConcurRequestSourceConfig } from './concur-request-source.js';
import type { DataSource } from './source.js';

const CatalogSourceConfig = z
  .object({
    type: z.literal('catalog'),
    title: z.string().default('the catalog'),
    /** A CSV or JSON catalog; relative paths are read from the folder the server starts in. */
    file: z.string().min(1).optional(),
    filters: z.array(ContextFilterConfig).default([]),
  })
  .strict();

const SourceConfig = z.discriminatedUnion('type', [CatalogSourceConfig, HttpSourceConfig, ConcurListSourceConfig, ConcurRequestSourceConfig]);

export const FieldsFile = z
  .object({
    /** Named sources. */
    sources: z.record(z.string().regex(/^[\w-]+$/, 'source names are letters, digits, - and _'), SourceConfig),
    /** Launch URL field id (custom12, orgUnit2, or a v1 field such as Custom9) -> source name. */
    fields: z.record(z.string(), z.string()).default({}),
    /** The source for fields not listed. */
    default: z.string().optional(),
  })
  .strict()
  .superRefine((f, ctx) => {
    for (const [field, source] of Object.entries(f.fields)) {
      if (!f.sources[source]) ctx.addIssue({ code: 'custom', path: ['fields', field], message: `names the source "${source}", which is not defined under sources` });
    }
    if (f.default && !f.sources[f.default]) ctx.addIssue({ code: 'custom', path: ['default'], message: `names the source "${f.default}", which is not defined under sources` });
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
  forField(fieldId: string): DataSource;
  close(): void;
}

export interface FieldSourcesDeps {
  /** The catalog from CATALOG_FILE, used when no fields file is given and by catalog sources without a file. */
  catalog: CatalogLike;
  client: ConcurClient;
  logger: Logger;
  env: Record<string, string | undefined>;
}

export async function createFieldSources(file: FieldsFile | undefined, deps: FieldSourcesDeps): Promise<FieldSources> {
  const fallback = new CatalogSource(deps.catalog);
  if (!file) return { forField: () => fallback, close: () => undefined };
  const opened: CatalogFile[] = [];
  const sources = new Map<string, DataSource>();
  for (const [name, cfg] of Object.entries(file.sources)) {
    switch (cfg.type) {
      case 'catalog': {
        let catalog = deps.catalog;
        if (cfg.file) {
          const f = await CatalogFile.open(cfg.file, deps.logger);
          f.watch();
          opened.push(f);
          catalog = f;
        }
        sources.set(name, new CatalogSource(catalog, cfg.filters, cfg.title));
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
  const byField = new Map(Object.entries(file.fields).map(([field, source]) => [field.toLowerCase(), sources.get(source)!]));
  const fallbackSource = file.default ? sources.get(file.default)! : fallback;
  return {
    forField: (fieldId) => byField.get(fieldId.toLowerCase()) ?? fallbackSource,
    close: () => opened.forEach((f) => f.close()),
  };
}
