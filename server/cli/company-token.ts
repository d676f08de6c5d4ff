// npm run company-token -- --company-id <uuid>: bootstraps the company-level token from a company request token.
// The request token is read from standard input (or COMPANY_REQUEST_TOKEN), never from the command line.
import { parseArgs } from 'node:util';
import { createInterface } from 'node:readline/promises';
import { text } from 'node:stream/consumers';
import { ConfigError, loadConfig } from '../config.ts';
import { buildDeps, createLogger } from '../serve.ts';
import { Catalog } from '../sources/catalog.ts';

const USAGE = `Usage: npm run company-token -- --company-id <company UUID>
  The company request token (valid 24 hours, from Concur's Company Request Token page) is read from
  standard input, or from COMPANY_REQUEST_TOKEN. COMPANY_TOKEN_FILE and TOKEN_ENCRYPTION_KEY must be set.`;

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

async function readRequestToken(): Promise<string> {
  if (process.env.COMPANY_REQUEST_TOKEN) return process.env.COMPANY_REQUEST_TOKEN.trim();
  if (!process.stdin.isTTY) return (await text(process.stdin)).trim();
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return (await rl.question('Company request token: ')).trim();
  } finally {
    rl.close();
  }
}

const { values } = parseArgs({ options: { 'company-id': { type: 'string' }, help: { type: 'boolean' } } });
if (values.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
const companyId = values['company-id']?.trim();
if (!companyId || !/^[0-9a-f-]{36}$/i.test(companyId)) fail(`--company-id must be the company's UUID.\n${USAGE}`);

let config;
try {
  config = loadConfig(process.env);
} catch (error) {
  if (error instanceof ConfigError) fail(`Configuration error: ${error.message}`);
  throw error;
}
if (!config.companyToken) fail('COMPANY_TOKEN_FILE is not set: say where the encrypted company token should be kept.');
const requestToken = await readRequestToken();
if (!requestToken) fail('No company request token was given.');

const deps = await buildDeps(config, { logger: createLogger('warn'), catalog: new Catalog([]) });
try {
  const status = await deps.companyTokens!.bootstrap(companyId, requestToken);
  process.stdout.write(
    `Company token stored (encrypted) in ${config.companyToken.file}\n` +
      `  company ${status.companyId}, API geolocation ${status.geolocation ?? config.oauth.tokenBase}\n` +
      '  The server renews it automatically every month while it runs.\n',
  );
} catch (error) {
  fail(`Concur did not issue the company token: ${(error as Error).message}`);
}
