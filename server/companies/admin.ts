// The registry's commands (npm run company -- ...): onboard a company, list and show companies, rotate their connector
// credentials, set their fields and catalogs, disconnect and remove them. Each works on the store every instance
// shares, so the running servers serve the change within seconds. Pure of the command line: server/cli/company.ts
// parses arguments and prints.
import { createHash, randomBytes, randomInt } from 'node:crypto';
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import { LAUNCH_PATHS } from '../launch/request-params.ts';
import type { Store } from '../store/store.ts';
import type { ConcurClient } from '../concur/client.ts';
import { scopedStore } from '../store/scoped.ts';
import { loadCatalogText } from '../sources/catalog.ts';
import { isFieldId } from '../../src/contract/field-id.ts';
import { companyAccess, parseCompanyFields, registeredFields } from './company.ts';
import { companyScope, COMPANY_ID, type CompanyRecord, type StoredCatalog } from './record.ts';

export class CompanyCommandError extends Error {
  override name = 'CompanyCommandError';
}

export interface AdminDeps {
  config: Config;
  store: Store;
  concur: ConcurClient;
  logger: Logger;
  now: () => number;
}

/** A company_domain as Concur sends it: a host name, compared in lower case. */
const DOMAIN = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;

/** Letters and digits without the ones people misread (0/O, 1/l/I). */
const READABLE = 'abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
const readable = (length: number) => Array.from({ length }, () => READABLE[randomInt(READABLE.length)]).join('');

/** A connector password within Concur's 10-50 character rule: 32 characters, about 186 bits. */
export const newPassword = () => readable(32);

const hash = (code: string) => createHash('sha256').update(code).digest('base64url');

/** What the company's Concur administrator enters, and the links they use, after onboarding or a rotation. */
export interface Registration {
  company: string;
  companyDomain: string;
  displayName: string;
  hostName: string;
  endpoint: string;
  connectorUsername: string;
  connectorPassword: string;
  redirectUrl: string;
  connectUrl: string;
  /** The one-time code the Connect page asks for, to link the App Center connection to this company. */
  verificationCode?: string;
}

function registration(deps: AdminDeps, record: CompanyRecord, verificationCode?: string): Registration {
  const base = deps.config.publicUrl;
  return {
    company: record.id,
    companyDomain: record.domain,
    displayName: record.displayName,
    hostName: base,
    endpoint: '/launchexternalurl/v4/form',
    connectorUsername: record.connector.username,
    connectorPassword: record.connector.password,
    redirectUrl: deps.config.oauth.redirectUri,
    connectUrl: `${base}/concur/connect`,
    ...(verificationCode ? { verificationCode } : {}),
  };
}

export const describeRegistration = (r: Registration): string[] => [
  `Company ${r.displayName} (${r.companyDomain}), id ${r.company}.`,
  'Its Concur administrator enters, in Administration > Web Services > Register Application Connector:',
  `  Host Name       ${r.hostName}`,
  `  Launch External URL endpoint  ${r.endpoint} (Service Version V4)`,
  `  (for Concur Request fields)   ${LAUNCH_PATHS.request}`,
  `  User Name       ${r.connectorUsername}`,
  `  Password        ${r.connectorPassword}`,
  `  Redirect URL    ${r.redirectUrl}`,
  'then Test Connection. The password is shown only now: it is kept encrypted and never shown again.',
  `App Center: Connect opens ${r.connectUrl}${r.verificationCode ? `; it asks for this verification code: ${r.verificationCode}` : ''}`,
];

async function byDomain(store: Store, domain: string): Promise<CompanyRecord> {
  const wanted = domain.trim().toLowerCase();
  // By domain only: a domain could be made to look like another company's id.
  const record = (await store.listCompanies()).find((r) => r.domain === wanted);
  if (!record) throw new CompanyCommandError(`No company ${domain} is registered (npm run company -- list).`);
  return record;
}

/** A version that moves on even when the clock does not, so every instance sees the change. */
const touched = (deps: AdminDeps, record: CompanyRecord): CompanyRecord => ({
  ...record,
  updatedAt: Math.max(deps.now(), record.updatedAt + 1),
});

export async function addCompany(deps: AdminDeps, domain: string, displayName?: string): Promise<Registration> {
  const wanted = domain.trim().toLowerCase();
  if (!DOMAIN.test(wanted))
    throw new CompanyCommandError(
      `${domain} is not a company domain: give it as Concur sends it in company_domain (e.g. acme.com).`,
    );
  if (!wanted.includes('.'))
    throw new CompanyCommandError(`${domain} is not a company domain: Concur's company_domain has a dot (acme.com).`);
  const all = await deps.store.listCompanies();
  if (all.some((r) => r.domain === wanted)) throw new CompanyCommandError(`${wanted} is registered already.`);
  const own = deps.config.connector ? [deps.config.connector.username.toLowerCase()] : [];
  const taken = new Set([...own, ...all.flatMap(usernames)]);
  let username: string;
  do username = `leu-${readable(10)}`;
  while (taken.has(username.toLowerCase()));
  let id: string;
  do id = randomBytes(8).toString('hex').slice(0, 12);
  while (all.some((r) => r.id === id) || !COMPANY_ID.test(id));
  const verificationCode = readable(12);
  const now = deps.now();
  const record: CompanyRecord = {
    id,
    domain: wanted,
    displayName: displayName?.trim() ? displayName.trim() : wanted,
    connector: { username, password: newPassword() },
    verificationHash: hash(verificationCode),
    catalogs: [],
    createdAt: now,
    updatedAt: now,
  };
  await deps.store.putCompany(record);
  return registration(deps, record, verificationCode);
}

const usernames = (r: CompanyRecord) =>
  [r.connector.username, ...(r.previousConnector ? [r.previousConnector.username] : [])].map((u) => u.toLowerCase());

/** A company as the list and show commands print it: never its password. */
export interface CompanySummary {
  company: string;
  companyDomain: string;
  displayName: string;
  connectorUsername: string;
  rotating: boolean;
  concurCompanyId?: string;
  verificationPending: boolean;
  fields: string[];
  catalogs: { name: string; rows?: number }[];
  connection: 'connected' | 'disconnected' | 'not connected';
  createdAt: string;
  updatedAt: string;
}

export async function summarize(deps: AdminDeps, record: CompanyRecord): Promise<CompanySummary> {
  const store = scopedStore(deps.store, companyScope(record.id), record.id);
  const status = await companyAccess(deps, store).company.status();
  let fields: string[] = [];
  try {
    const file = record.fields === undefined ? undefined : parseCompanyFields(record.fields).file;
    fields = file ? Object.keys({ ...file.fields, ...file.flows }) : [];
  } catch {
    fields = [];
  }
  return {
    company: record.id,
    companyDomain: record.domain,
    displayName: record.displayName,
    connectorUsername: record.connector.username,
    rotating: record.previousConnector !== undefined,
    ...(record.concurCompanyId ? { concurCompanyId: record.concurCompanyId } : {}),
    verificationPending: record.verificationHash !== undefined,
    fields: [...fields, ...record.catalogs.filter((c) => c !== '' && !fields.includes(c))],
    catalogs: record.catalogs.map((name) => ({ name: name || '(the company catalog)' })),
    connection: !status ? 'not connected' : status.connected ? 'connected' : 'disconnected',
    createdAt: new Date(record.createdAt).toISOString(),
    updatedAt: new Date(record.updatedAt).toISOString(),
  };
}

export async function listCompanies(deps: AdminDeps): Promise<CompanySummary[]> {
  const records = (await deps.store.listCompanies()).sort((a, b) => a.domain.localeCompare(b.domain));
  return Promise.all(records.map((r) => summarize(deps, r)));
}

export async function showCompany(deps: AdminDeps, domain: string): Promise<CompanySummary> {
  return summarize(deps, await byDomain(deps.store, domain));
}

/**
 * A new connector pair for the company. Concur may still sign with the old pair until its administrator has
 * entered the new one: both are accepted until Test Connection uses the new pair.
 */
export async function rotateCredentials(deps: AdminDeps, domain: string): Promise<Registration> {
  const record = await byDomain(deps.store, domain);
  // A second rotation before the first was tested could drop the pair Concur signs with now (the first one's,
  // entered but not tested): refused until Test Connection has used the new pair.
  if (record.previousConnector)
    throw new CompanyCommandError(
      `A rotation of ${record.domain} is waiting for Concur's Test Connection with the new pair; once it has passed, ` +
        'rotate again.',
    );
  const next: CompanyRecord = touched(deps, {
    ...record,
    previousConnector: record.connector,
    connector: { username: record.connector.username, password: newPassword() },
  });
  await deps.store.putCompany(next);
  return registration(deps, next);
}

/** Checks a company's fields as the servers will build them (its catalogs included), so a mistake stops here. */
async function checkBuilds(deps: AdminDeps, record: CompanyRecord): Promise<void> {
  try {
    const built = await registeredFields(record, deps);
    built.sources.close();
  } catch (error) {
    throw new CompanyCommandError((error as Error).message);
  }
}

export async function setFields(deps: AdminDeps, domain: string, text: string): Promise<CompanySummary> {
  const record = await byDomain(deps.store, domain);
  let fields: unknown;
  try {
    fields = JSON.parse(text);
  } catch (error) {
    throw new CompanyCommandError(`the fields file is not valid JSON (${(error as Error).message})`);
  }
  try {
    parseCompanyFields(fields);
  } catch (error) {
    throw new CompanyCommandError(`the fields file: ${(error as Error).message}`);
  }
  const next = touched(deps, { ...record, fields });
  await checkBuilds(deps, next);
  await deps.store.putCompany(next);
  return summarize(deps, next);
}

export interface CatalogSet {
  summary: CompanySummary;
  rows: number;
  /** Rows skipped, by line: the servers skip them too. */
  problems: { line: number; message: string }[];
}

/** Keeps a catalog for the company: its own (`field` undefined), or one field's. */
export async function setCatalog(
  deps: AdminDeps,
  domain: string,
  file: { text: string; format: 'csv' | 'json' },
  field?: string,
): Promise<CatalogSet> {
  if (field !== undefined && !isFieldId(field))
    throw new CompanyCommandError(`--field ${field} is not a field id such as custom12.`);
  const record = await byDomain(deps.store, domain);
  let catalog;
  try {
    catalog = await loadCatalogText(file.text, file.format);
  } catch (error) {
    throw new CompanyCommandError(`the catalog ${(error as Error).message}`);
  }
  if (catalog.size === 0)
    throw new CompanyCommandError(
      `the catalog has no usable row${catalog.problems[0] ? ` (line ${catalog.problems[0].line}: ${catalog.problems[0].message})` : ''}.`,
    );
  const name = field ?? '';
  const stored: StoredCatalog = { ...file, updatedAt: deps.now() };
  const next = touched(deps, { ...record, catalogs: [...new Set([...record.catalogs, name])] });
  if (field !== undefined && record.fields !== undefined) {
    const configured = parseCompanyFields(record.fields).file;
    if (Object.keys({ ...configured.fields, ...configured.flows }).some((f) => f.toLowerCase() === field.toLowerCase()))
      throw new CompanyCommandError(
        `${field} is set up in the company's fields configuration already; name this catalog there instead ` +
          `(a catalog source with "file": "${field}").`,
      );
  }
  await deps.store.putCatalog(record.id, name, stored);
  await deps.store.putCompany(next);
  return { summary: await summarize(deps, next), rows: catalog.size, problems: catalog.problems };
}

/** Revokes the company's App Center connection at Concur and forgets its tokens. */
export async function disconnectCompany(deps: AdminDeps, domain: string): Promise<{ revoked: boolean; was: boolean }> {
  const record = await byDomain(deps.store, domain);
  const store = scopedStore(deps.store, companyScope(record.id), record.id);
  const { company } = companyAccess(deps, store);
  if (!(await company.status())) return { revoked: false, was: false };
  const { revoked } = await company.disconnect('npm run company -- disconnect');
  return { revoked, was: true };
}

/**
 * Forgets a company: its registration, catalogs, tokens, sessions, recent picks and counters. Its audit records
 * stay for their retention (npm run audit -- --company <id>).
 */
export async function removeCompany(deps: AdminDeps, domain: string): Promise<{ company: string; revoked: boolean }> {
  const record = await byDomain(deps.store, domain);
  const { revoked } = await disconnectCompany(deps, record.domain).catch(() => ({ revoked: false }));
  await deps.store.deleteCompany(record.id);
  await deps.store.forgetScope(companyScope(record.id));
  return { company: record.id, revoked };
}

/**
 * The Connect page's verification: the one-time code onboarding printed links Concur's company (App Center's
 * `id`) to the registered company it was made for. Returns that company, or undefined for a wrong code.
 */
export async function verifyConnect(store: Store, code: string, now: number): Promise<CompanyRecord | undefined> {
  const wanted = hash(code.trim());
  const records = await store.listCompanies();
  const record = records.find((r) => r.verificationHash !== undefined && r.verificationHash === wanted);
  if (!record) return undefined;
  return { ...record, updatedAt: Math.max(now, record.updatedAt + 1) };
}
