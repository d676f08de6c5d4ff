// What administrators run and rely on: the doctor, the company-token command, HTTPS, and the error log files.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { setupServer } from 'msw/node';
import { loadConfig } from '../../server/config.ts';
import { buildDeps } from '../../server/compose.ts';
import { createLogger, createServerLogger } from '../../server/logger.ts';
import { startServer, type RunningServer } from '../../server/serve.ts';
import { Catalog } from '../../server/sources/catalog.ts';
import { runDoctor } from '../../server/doctor.ts';
import { SANDBOX_COMPANY, SandboxConcur } from '../../server/sandbox/concur-state.ts';
import { CONCUR_TOKEN_HOST } from '../../server/concur/hosts.ts';
import { concurHandlers } from '../../server/sandbox/concur-handlers.ts';
import { CLIENT, CONCUR, ENV } from './helpers.ts';
import { tempDataDir } from '../data-dir.ts';
import { runScriptSync, scanEnv, scannedNodeArgs } from '../scanned-node.ts';

const dataDir = tempDataDir();

const silent = createLogger('silent');

/** Runs a script with tsx without blocking this process, which may be serving the script's requests. */
function runScript(
  args: string[],
  env: Record<string, string | undefined>,
  input = '',
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    // The scan's folder goes along, so the command is scanned too.
    const child = spawn(process.execPath, [...scannedNodeArgs(), ...args], { env: { ...scanEnv(), ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('close', (status) => resolve({ status, stdout, stderr }));
    child.stdin.end(input);
  });
}
const servers: RunningServer[] = [];
after(() => Promise.all(servers.map((s) => s.close())));

async function sandboxServer() {
  const s = await startServer((bound) => loadConfig({ PORT: '0', DATA_DIR: dataDir, PUBLIC_URL: bound }), {
    port: 0,
    host: '127.0.0.1',
    logger: silent,
  });
  servers.push(s);
  return s;
}

describe('npm run doctor', () => {
  test('against the sandbox: prints the registration values and passes every check', async () => {
    const s = await sandboxServer();
    const report = await runDoctor(loadConfig({ PORT: '0', PUBLIC_URL: s.url }));
    const text = report.lines.join('\n');
    assert.equal(report.ok, true, text);
    assert.match(text, new RegExp(`Host Name +${s.url.replace(/\./g, '\\.')}`));
    assert.match(text, /Launch External URL endpoint +\/launchexternalurl\/v4\/form/);
    assert.match(text, /User Name +SandboxConnector/);
    assert.doesNotMatch(text, /sandbox-Passw0rd!/, 'the password is never printed');
    assert.match(text, /✓ a signed test launch was verified, its nonce claimed and its code exchanged/);
    assert.match(text, /✓ replaying the same launch is refused/);
  });

  test("with credentials that differ from the running server's, says so", async () => {
    const s = await sandboxServer();
    const report = await runDoctor(
      loadConfig({ PORT: '0', PUBLIC_URL: s.url, CONNECTOR_PASSWORD: 'another-Passw0rd' }),
    );
    assert.equal(report.ok, false);
    assert.match(report.lines.join('\n'), /✗ GET .* answers 401: the running server has other connector credentials/);
  });

  test('when the server is not running, says so', async () => {
    const report = await runDoctor(loadConfig({ PUBLIC_URL: 'http://127.0.0.1:9' }));
    assert.equal(report.ok, false);
    assert.match(report.lines.join('\n'), /does not answer .*is the server running/);
  });

  describe('against a real-Concur configuration (Concur faked by msw)', () => {
    const msw = setupServer();
    const fake = new SandboxConcur({
      base: CONCUR,
      tokenBase: CONCUR_TOKEN_HOST,
      clientId: CLIENT.id,
      clientSecret: CLIENT.secret,
      redirectUri: CLIENT.redirect,
    });
    msw.use(...concurHandlers(fake));
    msw.listen({ onUnhandledFrame: 'bypass' });
    after(() => msw.close());

    const realServer = async (env: Record<string, string> = {}) => {
      const s = await startServer(
        (bound) => loadConfig({ ...ENV, PORT: '0', PUBLIC_URL: bound, HOST: '127.0.0.1', ...env }),
        { port: 0, host: '127.0.0.1', logger: silent },
      );
      servers.push(s);
      return s;
    };

    test('proves signature, nonce and that the exchange reached Concur, and flags plain HTTP', async () => {
      const s = await realServer();
      const report = await runDoctor(loadConfig({ ...ENV, PUBLIC_URL: s.url }));
      const text = report.lines.join('\n');
      assert.match(text, /Client ID +test-client-id/);
      assert.match(text, /✓ a signed test launch was verified and its nonce claimed/);
      assert.match(
        text,
        new RegExp(
          String.raw`✓ the token exchange reached Concur at https://glz\.api\.concursolutions\.com, ` +
            'which refused only the test code',
        ),
      );
      assert.match(text, /✓ replaying the same launch is refused/);
      assert.match(text, /✗ PUBLIC_URL is plain HTTP/);
      assert.equal(report.ok, false);
    });

    test('names a wrong client secret', async () => {
      const s = await realServer({ CONCUR_CLIENT_SECRET: 'not-the-secret-0000' });
      const report = await runDoctor(loadConfig({ ...ENV, PUBLIC_URL: s.url }));
      assert.match(
        report.lines.join('\n'),
        /✗ Concur rejected the application: .*CONCUR_CLIENT_ID and CONCUR_CLIENT_SECRET/,
      );
    });
  });

  test('a bad configuration is reported as a problem, not a crash', () => {
    const run = runScriptSync(['server/cli/doctor.ts'], { CONNECTOR_USERNAME: 'short' });
    assert.equal(run.status, 1);
    assert.match(run.stdout, /^✗ CONNECTOR_USERNAME: CONNECTOR_USERNAME must be 10 to 50 characters/);
    assert.equal(run.stderr, '');
  });
});

describe('npm run company-token', () => {
  test('connects the company into the configured store from a request token on standard input; --status shows it, --disconnect revokes and forgets it', async () => {
    const s = await sandboxServer();
    const dir = mkdtempSync(join(tmpdir(), 'cli-'));
    // The command runs against this sandbox server's fake Concur (the sandbox's configuration: its token and
    // revocation calls go there, never to a real Concur), into an SQLite store of its own.
    const env = {
      PUBLIC_URL: s.url,
      STORE_URL: `sqlite:${join(dir, 'state.sqlite')}`,
      TOKEN_ENCRYPTION_KEY: 'b'.repeat(64),
    };
    const companyToken = (...args: string[]) => runScript(['server/cli/company-token.ts', ...args], env);
    /** The connection as a server on that store sees it. */
    const stored = async () => {
      const deps = await buildDeps(loadConfig(env), { logger: silent, catalog: new Catalog([]) });
      try {
        return await deps.company.status();
      } finally {
        await deps.store.close();
      }
    };
    const exchanges = s.sandbox!.grants.password;
    const requestToken = s.sandbox!.issueCompanyRequestToken();

    const run = await runScript(
      ['server/cli/company-token.ts', '--company-id', SANDBOX_COMPANY.id],
      env,
      `${requestToken}\n`,
    );
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /^Company connected; the connection is kept \(encrypted\) in the store\./);
    assert.match(run.stdout, new RegExp(`Company ${SANDBOX_COMPANY.id}: connected`));
    assert.ok(!run.stdout.includes(requestToken));
    assert.equal(s.sandbox!.grants.password, exchanges + 1, 'the request token was exchanged at Concur');
    const connection = await stored();
    assert.equal(connection?.companyId, SANDBOX_COMPANY.id);
    assert.equal(connection?.connected, true);
    assert.equal(connection?.geolocation, `${s.url}/sandbox/concur`);
    for (const file of readdirSync(dir))
      assert.ok(!readFileSync(join(dir, file)).includes('sbx-rt-'), `${file} holds no refresh token in the clear`);

    const status = await companyToken('--status');
    assert.equal(status.status, 0, status.stderr);
    assert.match(status.stdout, new RegExp(`^Company ${SANDBOX_COMPANY.id}: connected\n`));
    assert.match(status.stdout, new RegExp(`API geolocation ${s.url}/sandbox/concur`));

    const disconnect = await companyToken('--disconnect');
    assert.equal(disconnect.status, 0, disconnect.stderr);
    assert.equal(disconnect.stdout, `Company ${SANDBOX_COMPANY.id} disconnected and its tokens revoked at Concur.\n`);
    assert.equal(await stored(), undefined, 'the tokens are forgotten');
    const after = await companyToken('--status');
    assert.equal(after.stdout, 'No company is connected.\n');
    const again = await companyToken('--disconnect');
    assert.equal(again.status, 1);
    assert.match(again.stderr, /No company is connected/);
  });

  test('with STORE_URL=memory it refuses, since nothing would outlive the command', () => {
    const run = runScriptSync(
      ['server/cli/company-token.ts', '--company-id', SANDBOX_COMPANY.id],
      { ...ENV, STORE_URL: 'memory' },
      'x\n',
    );
    assert.equal(run.status, 1);
    assert.match(run.stderr, /STORE_URL=memory keeps nothing after this command ends: point STORE_URL at the servers/);
    assert.equal(run.stdout, '');
  });
});

describe('HTTPS', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tls-'));
  const key = join(dir, 'key.pem');
  const cert = join(dir, 'cert.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      key,
      '-out',
      cert,
      '-days',
      '1',
      '-subj',
      '/CN=localhost',
    ],
    { stdio: 'ignore' },
  );

  const handshake = (port: number, options: { maxVersion?: 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3' }) =>
    new Promise<{ protocol: string | null; cipher: string }>((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port, rejectUnauthorized: false, ...options }, () => {
        resolve({ protocol: socket.getProtocol(), cipher: socket.getCipher().name });
        socket.end();
      });
      socket.on('error', reject);
    });

  test('with a certificate and key configured, serves TLS 1.2+ with ECDHE suites only', async () => {
    const s = await startServer(
      (bound) => loadConfig({ ...ENV, PORT: '0', PUBLIC_URL: bound, TLS_CERT_FILE: cert, TLS_KEY_FILE: key }),
      {
        port: 0,
        host: '127.0.0.1',
        logger: silent,
        tls: { certFile: cert, keyFile: key },
      },
    );
    servers.push(s);
    assert.match(s.url, /^https:/);
    const port = Number(new URL(s.url).port);
    await assert.rejects(handshake(port, { maxVersion: 'TLSv1.1' }));
    const v12 = await handshake(port, { maxVersion: 'TLSv1.2' });
    assert.equal(v12.protocol, 'TLSv1.2');
    assert.match(v12.cipher, /^ECDHE-/);
    assert.equal((await handshake(port, {})).protocol, 'TLSv1.3');
  });

  test('TLS_CERT_FILE without TLS_KEY_FILE stops the start', () => {
    assert.throws(
      () => loadConfig({ ...ENV, TLS_CERT_FILE: cert }),
      /TLS_KEY_FILE: TLS_CERT_FILE and TLS_KEY_FILE must be set together/,
    );
  });
});

test('warnings and errors go to a daily file in LOG_DIR, with secrets redacted; info stays on standard output', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'logs-'));
  const stdout: string[] = [];
  const logger = await createServerLogger(loadConfig({ LOG_DIR: dir, LOG_LEVEL: 'info' }), {
    write: (line: string) => void stdout.push(line),
  });
  logger.error(
    { call: 'expense.patch', authorization: 'Bearer sbx-at-SECRET', password: 'hunter2-secret' },
    'Concur failed',
  );
  logger.info('an ordinary request');
  logger.flush();
  await new Promise((r) => setTimeout(r, 200));
  const files = readdirSync(dir);
  assert.equal(files.length, 1);
  assert.match(files[0]!, /^errors\.\d{4}-\d{2}-\d{2}\.1\.log$/);
  const text = readFileSync(join(dir, files[0]!), 'utf8');
  assert.match(text, /Concur failed/);
  assert.doesNotMatch(text, /an ordinary request/);
  assert.doesNotMatch(text, /sbx-at-SECRET|hunter2-secret/);
  assert.match(text, /\[redacted\]/);
  assert.equal(stdout.length, 2, 'both lines reach standard output');
});

test('error logs are kept at least seven days by default, and a shorter setting is refused', () => {
  assert.equal(loadConfig({}).logRetentionDays, 14);
  assert.throws(
    () => loadConfig({ LOG_RETENTION_DAYS: '3' }),
    /LOG_RETENTION_DAYS: LOG_RETENTION_DAYS must be at least 7/,
  );
});

test('a catalog file that cannot be read stops the start with one CATALOG_FILE line', () => {
  for (const [file, message] of [
    ['/tmp', /is a folder, not a file/],
    ['/nonexistent/catalog.csv', /does not exist/],
  ] as const) {
    const run = runScriptSync(['server/index.ts'], {
      PORT: '0',
      CATALOG_FILE: file,
      LOG_DIR: mkdtempSync(join(tmpdir(), 'l-')),
    });
    assert.equal(run.status, 1);
    const lines = run.stderr.trim().split('\n');
    assert.equal(lines.length, 1, run.stderr);
    assert.match(lines[0]!, new RegExp(`^Configuration error: CATALOG_FILE: ${file.replace(/\//g, '\\/')} `));
    assert.match(lines[0]!, message);
  }
});
