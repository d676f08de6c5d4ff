// A company as a request sees it: its own view of the store, its fields and catalogs, its App Center connection and
// the access to its items. Built from the environment for the configuration's own company, and from the registry's
// record (server/companies/record.ts) for each registered one; nothing in one reaches another's.
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import type { ConnectorCredentials } from '../launch/signature.ts';
import { ConcurHttpError, type ConcurClient } from '../concur/client.ts';
import { apiBase } from '../concur/hosts.ts';
import type { ItemRef } from '../concur/item-url.ts';
import type { LaunchV4Query } from '../launch/params.ts';
import { LaunchCompanyMismatch } from '../errors.ts';
import type { Store } from '../store/store.ts';
import { CompanyConnection } from '../concur/company-connection.ts';
import { ExpenseApi } from '../concur/expense.ts';
import { RequestApi } from '../concur/request.ts';
import { SessionTokens } from '../sessions/session-tokens.ts';
import { createItemAccess, type ItemAccess } from '../sessions/items.ts';
import { createFieldSources, FieldsFile, type FieldSources } from '../fields/fields.ts';
import { Catalog, loadCatalogText, type CatalogLike } from '../sources/catalog.ts';
import { ConfigError, isOrigin } from '../config.ts';
import { z } from 'zod';
import { FIELD_ID } from '../../src/contract/field-id.ts';
import { DEFAULT_COMPANY_ID, type CompanyRecord } from './record.ts';

/** What a company brings to a request, in the shape the popup's use cases and the routes take (AppDeps's names). */
export interface CompanyParts {
  /** Its view of the store: every key under its scope. */
  store: Store;
  items: ItemAccess;
  sources: FieldSources;
  /** Its App Center connection. */
  company: CompanyConnection;
  /** The catalog its catalog sources without a file search. */
  catalog: CatalogLike;
}

export interface Company extends CompanyParts {
  id: string;
  /** The company_domain its launches name; undefined for the configuration's own company. */
  domain?: string;
  displayName: string;
  /** Its record's version (updatedAt): a changed company is a new version. */
  version: number;
  /** The pairs a launch may be signed with and Test Connection may use: the current one first. */
  credentials: readonly ConnectorCredentials[];
  /** The Concur company (App Center's id) it is linked to, once its Connect used its verification code. */
  concurCompanyId?: string;
  /** Where an embedding page may use the picker, and which fields it may search (lower case). */
  embed: { origins: readonly string[]; fields: readonly string[] };
}

export interface CompanyBuildDeps {
  config: Config;
  /** The store every company shares; each company sees it through its scope. */
  store: Store;
  concur: ConcurClient;
  logger: Logger;
  now: () => number;
}

/** The parts a company's connection, tokens and item access are made of, over its own view of the store. */
export function companyAccess(deps: CompanyBuildDeps, store: Store) {
  const { config, concur, logger, now } = deps;
  const company = new CompanyConnection({ store, client: concur, logger, now, revokeBase: config.revokeBase });
  const items = createItemAccess({
    expenses: new ExpenseApi(concur, { apiBase: config.apiBase }),
    requests: new RequestApi(concur, { apiBase: config.apiBase }),
    sessionTokens: new SessionTokens(concur, store, now),
    company,
    apiBase: config.apiBase,
  });
  return { company, items };
}

/** Where the picker may be embedded for a registered company, and which of its fields (`embed` in its fields). */
const EmbedSettings = z
  .object({
    origins: z.array(z.string().refine(isOrigin, 'each origin is scheme://host[:port], without a path')).default([]),
    fields: z.array(z.string().regex(FIELD_ID, 'each field is a field id such as custom12')).default([]),
  })
  .strict();

/**
 * A registered company's fields configuration: the FIELDS_FILE format, checked as FIELDS_FILE is, plus `embed`
 * (its EMBED_ALLOWED_ORIGINS and EMBED_FIELDS). Every mistake names its path.
 */
export function parseCompanyFields(fields: unknown): { file: FieldsFile; embed: Company['embed'] } {
  const { embed, ...rest } = (fields && typeof fields === 'object' ? fields : {}) as Record<string, unknown>;
  const parsedEmbed = EmbedSettings.safeParse(embed ?? {});
  const parsed = FieldsFile.safeParse(rest);
  const issue =
    parsed.error?.issues[0] ?? parsedEmbed.error?.issues.map((i) => ({ ...i, path: ['embed', ...i.path] }))[0];
  if (issue || !parsed.success || !parsedEmbed.success)
    throw new ConfigError(
      `${issue?.path.length ? issue.path.join('.') : 'the fields configuration'}: ${issue?.message}`,
    );
  const { origins, fields: embedFields } = parsedEmbed.data;
  return { file: parsed.data, embed: { origins, fields: embedFields.map((f) => f.toLowerCase()) } };
}

/**
 * A registered company's fields: its fields configuration, where a catalog source's `file` names one of its kept
 * catalogs; and each field that has a catalog of its own (set-catalog --field) searches it. Its HTTP sources see
 * no environment variable of the server: a company's configuration never reads the connector's own secrets.
 */
export async function registeredFields(
  record: CompanyRecord,
  deps: CompanyBuildDeps,
): Promise<Pick<Company, 'sources' | 'catalog' | 'embed'>> {
  const loaded = new Map<string, Promise<CatalogLike>>();
  const open = (name: string) => {
    let catalog = loaded.get(name);
    if (!catalog) {
      catalog = deps.store.getCatalog(record.id, name).then((stored) => {
        if (!stored)
          throw new ConfigError(`the fields configuration names the catalog "${name}", which is not set for it`);
        return loadCatalogText(stored.text, stored.format);
      });
      loaded.set(name, catalog);
    }
    return catalog;
  };
  const catalog = record.catalogs.includes('') ? await open('') : new Catalog([]);
  const configured = record.fields === undefined ? undefined : parseCompanyFields(record.fields);
  const file = configured?.file;
  const own = record.catalogs.filter((name) => name !== '');
  const merged: FieldsFile = {
    sources: { ...file?.sources },
    fields: { ...file?.fields },
    flows: { ...file?.flows },
    products: { ...file?.products },
    ...(file?.fetchList ? { fetchList: file.fetchList } : {}),
  };
  for (const field of own) {
    merged.sources[`catalog-${field}`] = { type: 'catalog', title: 'the catalog', file: field, filters: [] };
    merged.fields[field] = `catalog-${field}`;
  }
  const sources = await createFieldSources(merged, {
    catalog,
    client: deps.concur,
    logger: deps.logger,
    env: {},
    openCatalog: open,
  });
  return { sources, catalog, embed: configured?.embed ?? { origins: [], fields: [] } };
}

/** A registered company from its record, its access (scoped store, connection, item access) and its fields. */
export function registeredCompany(
  record: CompanyRecord,
  access: Pick<Company, 'store' | 'company' | 'items'>,
  fields: Pick<Company, 'sources' | 'catalog' | 'embed'>,
): Company {
  const { store, company, items } = access;
  const { sources, catalog, embed } = fields;
  return {
    id: record.id,
    domain: record.domain,
    displayName: record.displayName,
    version: record.updatedAt,
    ...(record.concurCompanyId ? { concurCompanyId: record.concurCompanyId } : {}),
    credentials: [record.connector, ...(record.previousConnector ? [record.previousConnector] : [])],
    store,
    company,
    items,
    sources,
    catalog,
    embed,
  };
}

/**
 * The configuration's own company, from the app's collaborators as the environment made them; none when the
 * deployment serves registered companies only (no CONNECTOR_USERNAME or CONNECTOR_PASSWORD).
 */
export function defaultCompany(deps: CompanyParts & { config: Config }): Company | undefined {
  const { config } = deps;
  if (!config.connector) return undefined;
  return {
    id: DEFAULT_COMPANY_ID,
    displayName: config.connect.appName,
    version: 0,
    credentials: [config.connector],
    store: deps.store,
    items: deps.items,
    sources: deps.sources,
    company: deps.company,
    catalog: deps.catalog,
    embed: { origins: config.embedOrigins, fields: config.embedFields },
  };
}

/**
 * A linked company's launches are for its own Concur company's reports: the report owner must be a user that the
 * company's token can read in Identity v4 (company tokens see their own company's users only). A company that is not
 * connected cannot be asked; its launch is then bound to it by its own credentials alone.
 */
export function ownerCheck(company: Company, deps: { concur: ConcurClient; config: Config }) {
  if (!company.concurCompanyId) return undefined;
  return async (query: LaunchV4Query, item: Pick<ItemRef, 'base'>) => {
    if (!(await company.company.isConnected())) return;
    await company.company.withToken(async (token) => {
      const base = apiBase(deps.config.apiBase, token, item.base);
      // The base may have a path (the sandbox's /sandbox/concur): appended to, not replaced.
      const url = new URL(
        `${base.replace(/\/+$/, '')}/profile/identity/v4/Users/${encodeURIComponent(query.report_owner_user_id)}`,
      );
      await deps.concur.getJson('identity-user', url, token).catch((error: unknown) => {
        if (error instanceof ConcurHttpError && error.upstreamStatus === 404) throw new LaunchCompanyMismatch();
        throw error;
      });
    });
  };
}
