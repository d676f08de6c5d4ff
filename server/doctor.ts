// The doctor: prints what an administrator enters on Concur's registration pages, then checks the running server
// end to end (test connection, a signed launch, the replay guard, the token exchange), naming each problem.
import ky from 'ky';
import { LAUNCH_PATHS } from './launch/request-params.ts';
import type { Config } from './config.ts';
import { signLaunchV4 } from './launch/signature.ts';
import { readFieldsFile } from './fields/fields.ts';
import { SANDBOX_IDS, SANDBOX_USER } from './sandbox/concur-state.ts';
import type { ConnectionStatus } from './concur/company-connection.ts';
import { apiBase, CONCUR_US_API_HOST } from './concur/hosts.ts';

export interface DoctorReport {
  ok: boolean;
  lines: string[];
}

interface ErrorJson {
  error?: { code?: string; message?: string };
}

const LAUNCH_PATH = LAUNCH_PATHS.expense;

export interface DoctorOptions {
  /** With --company: the registered company's company_domain, so the test launch is verified with its pair. */
  companyDomain?: string;
  /** In the sandbox: the simulator's launch to run (default: Jane's taxi entry). */
  sandboxLaunch?: string;
  fetch?: typeof fetch;
  /** The company connection as the store holds it (the doctor reads the servers' store). */
  connection?: () => Promise<ConnectionStatus | undefined>;
}

const when = (ms?: number) => (ms ? new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z') : 'unknown');

export async function runDoctor(config: Config, opts: DoctorOptions = {}): Promise<DoctorReport> {
  const lines: string[] = [];
  let ok = true;
  const pass = (text: string) => lines.push(`  ✓ ${text}`);
  const problem = (text: string) => {
    ok = false;
    lines.push(`  ✗ ${text}`);
  };
  const http = ky.create({ fetch: opts.fetch, timeout: 15_000, retry: 0, throwHttpErrors: false, redirect: 'manual' });
  const { publicUrl, connector } = config;
  const host = new URL(publicUrl);
  if (!connector)
    return {
      ok: false,
      lines: [
        '✗ No company is configured by CONNECTOR_USERNAME and CONNECTOR_PASSWORD: this deployment serves registered ' +
          'companies only. Run npm run doctor -- --company <company_domain> for one of them (npm run company -- list).',
      ],
    };

  lines.push(
    'Concur > Administration > Web Services > Register Application Connector:',
    `  Host Name                     ${host.origin}`,
    `  Launch External URL endpoint  ${host.pathname.replace(/\/$/, '')}${LAUNCH_PATH}`,
    `  (for Concur Request fields)   ${host.pathname.replace(/\/$/, '')}${LAUNCH_PATHS.request}`,
    `  User Name                     ${connector.username}`,
    '  Password                      the value of CONNECTOR_PASSWORD (not shown)',
    'Then Test Connection; on the Launch External URL service configuration choose Service Version V4 and enter:',
    `  Client ID                     ${config.sandbox ? '(sandbox: none needed)' : config.oauth.clientId}`,
    `  Redirect URL                  ${config.oauth.redirectUri}`,
    'App Center (the company connection): the Connect URL is',
    `  ${publicUrl}/concur/connect`,
    '',
    'Checks:',
  );

  for (const [name, value] of [
    ['CONNECTOR_USERNAME', connector.username],
    ['CONNECTOR_PASSWORD', connector.password],
  ] as const) {
    if (value.length >= 10 && value.length <= 50)
      pass(`${name} is ${value.length} characters (Concur requires 10 to 50)`);
    else problem(`${name} is ${value.length} characters; Concur requires 10 to 50`);
  }
  if (host.protocol === 'https:') pass('PUBLIC_URL uses HTTPS');
  else if (config.sandbox)
    lines.push(
      '  · PUBLIC_URL is plain HTTP: fine for the sandbox, ' +
        'but Concur only calls HTTPS hosts with a CA-signed certificate (TLS 1.2+, ECDHE)',
    );
  else
    problem(
      'PUBLIC_URL is plain HTTP; ' +
        'Concur only calls HTTPS hosts with a CA-signed certificate (TLS 1.2 or later, ECDHE suites)',
    );

  // Test Connection, as Concur's button calls it.
  const testUrl = `${publicUrl}/system/v1.0/testconnection`;
  const basic = `Basic ${Buffer.from(`${connector.username}:${connector.password}`).toString('base64')}`;
  try {
    const withCreds = await http.get(testUrl, { headers: { authorization: basic } });
    if (withCreds.status === 200) pass(`GET ${testUrl} answers 200 with the connector credentials`);
    else if (withCreds.status === 401)
      problem(`GET ${testUrl} answers 401: the running server has other connector credentials than this environment`);
    else problem(`GET ${testUrl} answers ${withCreds.status}; Concur's Test Connection needs 200`);
    const without = await http.get(testUrl);
    if (without.status === 401 && without.headers.get('www-authenticate')?.startsWith('Basic'))
      pass('… and 401 with a Basic challenge without them');
    else problem(`GET ${testUrl} without credentials answers ${without.status}; it must refuse with 401`);
  } catch (error) {
    problem(
      `${publicUrl} does not answer (${(error as Error).message}): is the server running, ` +
        'and is PUBLIC_URL its address?',
    );
    lines.push('', 'Start the server (npm start) and run npm run doctor again.');
    return { ok: false, lines };
  }

  // A signed launch: in the sandbox a real one (real code); otherwise one with a test code Concur will refuse.
  let launchUrl: string;
  if (config.sandbox) {
    const launchQuery = opts.sandboxLaunch ?? `source=ENTRY&expense=${SANDBOX_IDS.taxi}&field=custom12`;
    const res = await http.get(`${publicUrl}/sandbox/launch?${launchQuery}`);
    launchUrl = new URL(res.headers.get('location') ?? '/', publicUrl).href;
  } else {
    const base = apiBase(config.apiBase, undefined, CONCUR_US_API_HOST);
    const signed = {
      company_domain: opts.companyDomain ?? 'doctor.invalid',
      logged_in_user_id: SANDBOX_USER.id,
      report_owner_user_id: SANDBOX_USER.id,
      report_owner_employee_id: '',
      item_url:
        `${base}/expensereports/v4/users/${SANDBOX_USER.id}/context/TRAVELER` +
        '/reports/DOCTORCHECK/expenses/DOCTORCHECK',
      nonce: crypto.randomUUID(),
    };
    const q = new URLSearchParams({
      ...signed,
      custom_field_launched_from: await aConfiguredField(config),
      source: 'ENTRY',
      is_mobile: 'false',
      signature: signLaunchV4(signed, connector),
      client_auth_code: `doctor-test-code-${crypto.randomUUID()}`,
      language_code: 'en',
    });
    launchUrl = `${publicUrl}${LAUNCH_PATH}?${q.toString()}`;
  }
  // The launch answers with the popup's page while it exchanges the code; the popup's claim of its session (with
  // the hand-off cookie) says how the exchange went.
  const launch = await http.get(launchUrl, { headers: { accept: 'application/json' } });
  const cookie = launch.headers.get('set-cookie')?.split(';')[0];
  const claim =
    launch.status === 200 && cookie
      ? await http.post(`${publicUrl}/api/session`, { headers: { cookie, accept: 'application/json' } })
      : launch;
  const accepted = launch.status === 200 && claim.status === 200;
  const body = (accepted ? {} : await claim.json().catch(() => ({}))) as ErrorJson;
  const code = body.error?.code;
  if (accepted) {
    pass('a signed test launch was verified, its nonce claimed and its code exchanged for a token (the popup page)');
  } else if (code === 'launch_signature_invalid') {
    problem(
      "the running server refused the test launch's signature: its CONNECTOR_USERNAME or CONNECTOR_PASSWORD " +
        "differs from this environment's",
    );
  } else if (code === 'item_url_not_allowed') {
    problem(
      'the running server does not trust the API host of the test launch; ' +
        'check CONCUR_API_BASE and CONCUR_ALLOWED_HOSTS',
    );
  } else if (code === 'oauth_code_invalid') {
    pass('a signed test launch was verified and its nonce claimed');
    pass(
      `the token exchange reached Concur at ${config.oauth.tokenBase}, ` +
        'which refused only the test code (as it must); a real launch from Concur completes it',
    );
  } else if (code === 'oauth_client_invalid') {
    pass('a signed test launch was verified and its nonce claimed');
    problem(`Concur rejected the application: ${body.error?.message}`);
  } else if (code === 'oauth_redirect_mismatch') {
    pass('a signed test launch was verified and its nonce claimed');
    problem(`Concur rejected the redirect URL: ${body.error?.message}`);
  } else if (code === 'concur_unavailable' || code === 'concur_sign_in_failed' || code?.startsWith('oauth_')) {
    pass('a signed test launch was verified and its nonce claimed');
    problem(`the token exchange at ${config.oauth.tokenBase} failed: ${body.error?.message}`);
  } else {
    problem(`the test launch answered ${claim.status}${body.error?.message ? `: ${body.error.message}` : ''}`);
  }
  if (accepted || code?.startsWith('oauth_')) {
    const replay = await http.get(launchUrl, { headers: { accept: 'application/json' } });
    const replayCode = ((await replay.json().catch(() => ({}))) as ErrorJson).error?.code;
    if (replay.status === 401 && replayCode === 'launch_replayed') pass('replaying the same launch is refused (401)');
    else problem(`replaying the same launch answered ${replay.status}; it must be refused with 401`);
  }

  // Entries are written with the company's token (protocol sheet §5): without a connection they fail closed.
  if (opts.connection) {
    const status = await opts.connection().catch((error: Error) => {
      problem(`the company connection could not be read from the store: ${error.message}`);
      return null;
    });
    if (status === undefined)
      problem(
        'no company is connected: expense entries cannot be written. An administrator connects the app from the ' +
          `App Center (Connect URL ${publicUrl}/concur/connect) or with npm run company-token`,
      );
    else if (status && !status.connected)
      problem(
        `the company ${status.companyId} was disconnected (${when(status.disconnected?.at)}: ` +
          `${status.disconnected?.reason}); an administrator must connect the app again`,
      );
    else if (status)
      pass(
        `company ${status.companyId} is connected: last refresh ${when(status.refreshedAt)}, refresh token expires ` +
          `${when(status.refreshExpiresAt)}, API geolocation ${status.geolocation ?? 'unknown'}`,
      );
  }

  lines.push('', ok ? 'All checks passed.' : 'Some checks failed: fix the ✗ lines above and run npm run doctor again.');
  return { ok, lines };
}

/** A field the configuration names (the server refuses launches for any other): the test launch uses it. */
async function aConfiguredField(config: Config): Promise<string> {
  if (!config.fieldsFile) return config.catalogFields[0] ?? 'custom12';
  const file = await readFieldsFile(config.fieldsFile).catch(() => undefined);
  return Object.keys(file?.fields ?? {})[0] ?? Object.keys(file?.flows ?? {})[0] ?? 'custom12';
}
