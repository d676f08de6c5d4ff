// The sandbox's part of a start: the fake Concur the app talks to when SANDBOX is on, and its company connected the
// way App Center would connect a real one; and a second, registered company (Globex) with its own traveller,
// catalog and fields, so isolation can be seen at work. Production starts never reach this file's work.
import { readFile } from 'node:fs/promises';
import type { Config } from '../config.ts';
import type { CompanyConnection } from '../concur/company-connection.ts';
import { SANDBOX_COMPANY, SANDBOX_GLOBEX, SandboxConcur } from './concur-state.ts';
import { addCompany, setCatalog, setFields, type AdminDeps } from '../companies/admin.ts';
import type { CompanyRegistry } from '../companies/registry.ts';
import { companyAccess } from '../companies/company.ts';
import { scopedStore } from '../store/scoped.ts';
import { companyScope } from '../companies/record.ts';

const GLOBEX_CATALOG = new URL('./globex-cost-centres.csv', import.meta.url);

/** Globex's fields: custom12 is a cost centre from its own catalog; it embeds nothing and has no wizard. */
const GLOBEX_FIELDS = {
  sources: { costCentres: { type: 'catalog', title: 'Globex cost centres' } },
  fields: { custom12: 'costCentres' },
};

/** The fake Concur for this configuration: under PUBLIC_URL's /sandbox/concur, with the configured client. */
export function sandboxConcur(config: Config): SandboxConcur {
  return new SandboxConcur({
    base: `${config.publicUrl}/sandbox/concur`,
    clientId: config.oauth.clientId,
    clientSecret: config.oauth.clientSecret,
    redirectUri: config.oauth.redirectUri,
  });
}

/** The fake Concur is new at each start: its company is connected afresh, as App Center would. */
export async function connectSandboxCompany(sandbox: SandboxConcur, company: CompanyConnection): Promise<void> {
  await company.connect(SANDBOX_COMPANY.id, sandbox.issueCompanyRequestToken(), SANDBOX_COMPANY.adminId);
}

/**
 * Registers Globex in the sandbox's store on its first start (the SQLite store keeps it), and connects its App Center
 * connection to its own Concur company at every start (the fake Concur is new each time), linked as a verified
 * Connect would link it.
 */
export async function setUpSandboxGlobex(sandbox: SandboxConcur, admin: AdminDeps, registry: CompanyRegistry) {
  const { domain, found } = await admin.store.listCompanies().then((all) => ({
    domain: SANDBOX_GLOBEX.companyDomain,
    found: all.find((r) => r.domain === SANDBOX_GLOBEX.companyDomain),
  }));
  if (!found) {
    await addCompany(admin, domain, SANDBOX_GLOBEX.displayName);
    await setCatalog(admin, domain, { format: 'csv', text: await readFile(GLOBEX_CATALOG, 'utf8') });
    await setFields(admin, domain, JSON.stringify(GLOBEX_FIELDS));
  }
  const record = (await admin.store.listCompanies()).find((r) => r.domain === domain)!;
  if (record.concurCompanyId !== SANDBOX_GLOBEX.companyId) {
    const { verificationHash: _unused, ...rest } = record;
    await admin.store.putCompany({
      ...rest,
      concurCompanyId: SANDBOX_GLOBEX.companyId,
      updatedAt: record.updatedAt + 1,
    });
  }
  const { company } = companyAccess(admin, scopedStore(admin.store, companyScope(record.id), record.id));
  await company.connect(
    SANDBOX_GLOBEX.companyId,
    sandbox.issueCompanyRequestToken(SANDBOX_GLOBEX.companyId),
    SANDBOX_GLOBEX.adminId,
  );
  // Served at once: the registry reads the store again now rather than at its next poll.
  await registry.refresh();
}
