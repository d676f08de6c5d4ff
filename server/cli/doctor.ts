// npm run doctor [-- --company <company_domain>]: what to enter in Concur, and proof that the running server is set
// up right: for the configuration's own company, or for one registered company (its pair, its domain, its connection).
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config.ts';
import { runDoctor } from '../doctor.ts';
import { openStore } from '../store/open.ts';
import { createLogger } from '../logger.ts';
import { COMPANY_CONNECTION, statusOf } from '../concur/company-connection.ts';
import { scopedStore } from '../store/scoped.ts';
import { companyScope, type CompanyRecord } from '../companies/record.ts';
import { SANDBOX_GLOBEX } from '../sandbox/concur-state.ts';

const { values } = parseArgs({ options: { company: { type: 'string' } } });
let config;
try {
  config = loadConfig(process.env);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stdout.write(`✗ ${error.message}\nFix the configuration and run npm run doctor again.\n`);
  process.exit(1);
}
// The connection lives in the servers' store; a memory store is the server's own, out of this command's reach.
const cfg = config;
if (values.company !== undefined && cfg.store.kind === 'memory') {
  process.stdout.write("✗ --company reads the registry in the servers' store: STORE_URL=memory has none.\n");
  process.exit(1);
}
let company: CompanyRecord | undefined;
if (values.company !== undefined) {
  // The registry is sealed: this needs the servers' TOKEN_ENCRYPTION_KEY, as the servers do.
  const store = await openStore(cfg.store, { logger: createLogger('silent') });
  try {
    const wanted = values.company.trim().toLowerCase();
    company = (await store.listCompanies()).find((r) => r.domain === wanted);
  } finally {
    await store.close();
  }
  if (!company) {
    process.stdout.write(`✗ No company ${values.company} is registered (npm run company -- list).\n`);
    process.exit(1);
  }
}
const connection =
  cfg.store.kind === 'memory'
    ? undefined
    : async () => {
        const store = await openStore(cfg.store, { logger: createLogger('silent'), existing: !company });
        try {
          const view = company ? scopedStore(store, companyScope(company.id), company.id) : store;
          const record = await view.getConnection(COMPANY_CONNECTION);
          return record && statusOf(record);
        } finally {
          await store.close();
        }
      };
const report = await runDoctor(company ? { ...config, connector: company.connector } : config, {
  connection,
  ...(company ? { companyDomain: company.domain } : {}),
  // The sandbox's registered company is Globex: its test launch is Gina's, at Globex.
  ...(company?.domain === SANDBOX_GLOBEX.companyDomain
    ? { sandboxLaunch: `company=globex&source=ENTRY&expense=${SANDBOX_GLOBEX.expense}&field=custom12` }
    : {}),
});
process.stdout.write(
  `${company ? `Company ${company.displayName} (${company.domain}), id ${company.id}\n` : ''}${report.lines.join('\n')}\n`,
);
process.exit(report.ok ? 0 : 1);
