// npm run company -- <command>: the registry of companies this connector serves, in the configured store.
//   add <company_domain> [--name "Acme"] [--json]   onboard: credentials, registration values, verification code
//   list [--json] | show <domain> [--json]
//   rotate-credentials <domain> [--json]            a new password; the old one works until Test Connection
//   set-fields <domain> <file>                      the company's fields configuration (FIELDS_FILE format)
//   set-catalog <domain> [--field <id>] <file>      its catalog, or one field's (CSV or JSON)
//   disconnect <domain>                             revoke its App Center connection at Concur
//   remove <domain>                                 forget it (its audit records stay for their retention)
import { parseArgs } from 'node:util';
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { ConfigError } from '../config.ts';
import { fail, storeCommandConfig } from './command.ts';
import { ConcurClient } from '../concur/client.ts';
import { createHostAllowlist } from '../concur/hosts.ts';
import { createLogger } from '../logger.ts';
import { openStore } from '../store/open.ts';
import {
  addCompany,
  CompanyCommandError,
  describeRegistration,
  disconnectCompany,
  listCompanies,
  removeCompany,
  rotateCredentials,
  setCatalog,
  setFields,
  showCompany,
  type AdminDeps,
  type CompanySummary,
} from '../companies/admin.ts';

const USAGE = `Usage: npm run company -- add <company_domain> [--name <display name>] [--json]
       npm run company -- list [--json]
       npm run company -- show <company_domain> [--json]
       npm run company -- rotate-credentials <company_domain> [--json]
       npm run company -- set-fields <company_domain> <fields.json>
       npm run company -- set-catalog <company_domain> [--field <field id>] <catalog.csv|catalog.json>
       npm run company -- disconnect <company_domain>
       npm run company -- remove <company_domain>
  Companies are kept in the connector's store (STORE_URL): every running server serves a change within seconds.`;

const describe = (s: CompanySummary): string[] => [
  `${s.companyDomain}  ${s.displayName}  (id ${s.company})`,
  `  connector user name ${s.connectorUsername}${s.rotating ? ' (rotating: the previous password works until Test Connection)' : ''}`,
  `  App Center connection: ${s.connection}${s.concurCompanyId ? `, Concur company ${s.concurCompanyId}` : ''}${s.verificationPending ? ', verification code not used yet' : ''}`,
  `  fields: ${s.fields.length ? s.fields.join(', ') : 'none'}; catalogs: ${s.catalogs.length ? s.catalogs.map((c) => c.name).join(', ') : 'none'}`,
];

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    json: { type: 'boolean' },
    name: { type: 'string' },
    field: { type: 'string' },
    help: { type: 'boolean' },
  },
});
if (values.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
const [command, domain, file] = positionals;
const needs = {
  add: 1,
  list: 0,
  show: 1,
  'rotate-credentials': 1,
  'set-fields': 2,
  'set-catalog': 2,
  disconnect: 1,
  remove: 1,
};
if (!command || !(command in needs)) fail(USAGE);
const wanted = needs[command as keyof typeof needs];
if (positionals.length !== wanted + 1)
  fail(
    `${command} takes ${wanted === 0 ? 'no argument' : wanted === 1 ? 'a company domain' : 'a company domain and a file'}.\n${USAGE}`,
  );

const config = storeCommandConfig();

const logger = createLogger('warn');
const now = Date.now;
let store;
try {
  store = await openStore(config.store, { now, logger });
} catch (error) {
  fail(`The store cannot be opened: ${(error as Error).message}`);
}
const concur = new ConcurClient({
  oauth: config.oauth,
  allowlist: createHostAllowlist(config.extraAllowedHosts),
  logger,
  now,
});
const deps: AdminDeps = { config, store, concur, logger, now };
const print = (lines: string[]) => process.stdout.write(`${lines.join('\n')}\n`);
const json = (value: unknown) => process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);

async function readInput(path: string) {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new CompanyCommandError(
      `${path} ${code === 'ENOENT' ? 'does not exist' : code === 'EISDIR' ? 'is a folder' : 'cannot be read'}.`,
    );
  }
}

try {
  switch (command) {
    case 'add': {
      const r = await addCompany(deps, domain!, values.name);
      if (values.json) json(r);
      else print(describeRegistration(r));
      break;
    }
    case 'list': {
      const all = await listCompanies(deps);
      if (values.json) json(all);
      else
        print(
          all.length ? all.flatMap(describe) : ['No company is registered (npm run company -- add <company_domain>).'],
        );
      break;
    }
    case 'show': {
      const s = await showCompany(deps, domain!);
      if (values.json) json(s);
      else print(describe(s));
      break;
    }
    case 'rotate-credentials': {
      const r = await rotateCredentials(deps, domain!);
      if (values.json) json(r);
      else
        print([
          ...describeRegistration(r).slice(0, 7),
          'The previous password is still accepted until Test Connection succeeds with this one.',
        ]);
      break;
    }
    case 'set-fields': {
      const s = await setFields(deps, domain!, await readInput(file!));
      print([`The fields configuration of ${s.companyDomain} is set: ${s.fields.join(', ') || 'no field'}.`]);
      break;
    }
    case 'set-catalog': {
      const format = extname(file!).toLowerCase() === '.json' ? 'json' : 'csv';
      const r = await setCatalog(deps, domain!, { text: await readInput(file!), format }, values.field);
      print([
        `${r.rows} rows kept for ${values.field ? `the field ${values.field}` : 'the company catalog'} of ${r.summary.companyDomain}.`,
        ...r.problems.slice(0, 20).map((p) => `  line ${p.line} skipped: ${p.message}`),
        ...(r.problems.length > 20 ? [`  and ${r.problems.length - 20} more rows skipped`] : []),
      ]);
      break;
    }
    case 'disconnect': {
      const r = await disconnectCompany(deps, domain!);
      print([
        !r.was
          ? `${domain} has no App Center connection.`
          : `${domain} disconnected${r.revoked ? ' and its tokens revoked at Concur' : '; Concur did not confirm the revocation: also disconnect the app in the App Center'}.`,
      ]);
      break;
    }
    case 'remove': {
      const r = await removeCompany(deps, domain!);
      print([
        `${domain} (id ${r.company}) removed: its tokens, sessions, recent picks and catalogs are forgotten; ` +
          `its audit records stay (npm run audit -- --company ${r.company}).`,
      ]);
      break;
    }
  }
} catch (error) {
  if (error instanceof CompanyCommandError || error instanceof ConfigError) fail(error.message);
  fail(`The command failed: ${(error as Error).message}`);
} finally {
  await store.close();
}
