// npm run company-token: the company connection without App Center (protocol sheet §13.8), in the configured store.
//   npm run company-token -- --company-id <uuid>   connect: the request token is read from standard input (or
//                                                   COMPANY_REQUEST_TOKEN), never from the command line
//   npm run company-token -- --status               what is connected
//   npm run company-token -- --disconnect           revoke at Concur, then forget the tokens
import { parseArgs } from 'node:util';
import { createInterface } from 'node:readline/promises';
import { text } from 'node:stream/consumers';
import { fail, storeCommandConfig } from './command.ts';
import { buildDeps } from '../compose.ts';
import { createLogger } from '../logger.ts';
import { Catalog } from '../sources/catalog.ts';
import type { ConnectionStatus } from '../concur/company-connection.ts';

const USAGE = `Usage: npm run company-token -- --company-id <company UUID>
       npm run company-token -- --status
       npm run company-token -- --disconnect
  Connecting reads the company request token (valid 24 hours, from Concur's Company Request Token tool:
  Administration > Company > Authentication Admin) from standard input, or from COMPANY_REQUEST_TOKEN.
  The connection is kept in the connector's store (STORE_URL), so the running servers use it at once.`;

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

const when = (ms?: number) => (ms ? new Date(ms).toISOString() : 'unknown');
export const describeConnection = (s: ConnectionStatus | undefined): string =>
  !s
    ? 'No company is connected.\n'
    : `Company ${s.companyId}: ${s.connected ? 'connected' : `DISCONNECTED (${s.disconnected?.reason ?? ''})`}\n` +
      `  connected ${when(s.connectedAt)}${s.connectedBy ? ` by ${s.connectedBy}` : ''}\n` +
      `  last refresh ${when(s.refreshedAt)}, refresh token expires ${when(s.refreshExpiresAt)}\n` +
      `  API geolocation ${s.geolocation ?? 'unknown'}\n`;

const { values } = parseArgs({
  options: {
    'company-id': { type: 'string' },
    status: { type: 'boolean' },
    disconnect: { type: 'boolean' },
    help: { type: 'boolean' },
  },
});
if (values.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
const companyId = values['company-id']?.trim();
if ([companyId, values.status, values.disconnect].filter(Boolean).length !== 1) fail(USAGE);
if (companyId && !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(companyId))
  fail(`--company-id must be the company's UUID.\n${USAGE}`);

const config = storeCommandConfig();

const deps = await buildDeps(config, { logger: createLogger('warn'), catalog: new Catalog([]) });
try {
  if (values.status) {
    process.stdout.write(describeConnection(await deps.company.status()));
  } else if (values.disconnect) {
    const before = await deps.company.status();
    if (!before) fail('No company is connected.');
    const { revoked } = await deps.company.disconnect('npm run company-token -- --disconnect');
    process.stdout.write(
      `Company ${before.companyId} disconnected${revoked ? ' and its tokens revoked at Concur' : ''}.\n` +
        (revoked ? '' : '  Concur did not confirm the revocation: also disconnect the app in the App Center.\n'),
    );
  } else {
    const requestToken = await readRequestToken();
    if (!requestToken) fail('No company request token was given.');
    const status = await deps.company.connect(companyId!, requestToken);
    process.stdout.write(
      `Company connected; the connection is kept (encrypted) in the store.\n${describeConnection(status)}` +
        '  The servers refresh it on a schedule while they run.\n',
    );
  }
} catch (error) {
  fail(
    `${values.status ? 'Could not read the connection' : 'Concur did not connect the company'}: ${(error as Error).message}`,
  );
} finally {
  await deps.store.close();
}
