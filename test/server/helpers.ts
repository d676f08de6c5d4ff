// Builds the app around the fake Concur for node tests: no port is opened, msw answers for Concur.
import { setupServer, type SetupServer } from 'msw/node';
import { after, afterEach, before, beforeEach } from 'node:test';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../../server/app.ts';
import type { AppDeps } from '../../server/env.ts';
import { LaunchesInFlight } from '../../server/launch/handoffs.ts';
import { ItemReads } from '../../server/popup/item-reads.ts';
import { loadConfig } from '../../server/config.ts';
import type { ConcurClientOptions } from '../../server/concur/client.ts';
import { Catalog } from '../../server/sources/catalog.ts';
import { buildDeps } from '../../server/compose.ts';
import { createLogger } from '../../server/logger.ts';
import { SandboxConcur, SANDBOX_COMPANY, SANDBOX_USER } from '../../server/sandbox/concur-state.ts';
import { concurHandlers } from '../../server/sandbox/concur-handlers.ts';
import { CONCUR_TOKEN_HOST } from '../../server/concur/hosts.ts';
import { signLaunchV4, type SignedLaunchV4 } from '../../server/launch/signature.ts';
import type { CatalogItem } from '../../src/contract/api.ts';

export const CONCUR = 'https://us.api.concursolutions.com';
export const CREDENTIALS = { username: 'LeuConnectorUser', password: 'S3cret-Passw0rd!' } as const;
export const CLIENT = {
  id: 'test-client-id',
  secret: 'test-client-secret-0123',
  redirect: 'https://connector.example.com/oauth/redirect',
} as const;
export const EXPENSE_ID = '84FCBB92BD4E5342B849DAC29FD163A1';

export const ENV = {
  CONNECTOR_USERNAME: CREDENTIALS.username,
  CONNECTOR_PASSWORD: CREDENTIALS.password,
  CONCUR_CLIENT_ID: CLIENT.id,
  CONCUR_CLIENT_SECRET: CLIENT.secret,
  CONCUR_REDIRECT_URI: CLIENT.redirect,
  PUBLIC_URL: 'https://connector.example.com',
  // The fields the sandbox's header, entry and allocation buttons launch; every other field is refused.
  CATALOG_FIELDS: 'custom5,custom9,custom12',
  // Tests that need state to outlive the app say so (STORE_URL=sqlite:..., redis://...).
  STORE_URL: 'memory',
};

export const CATALOG_ITEMS = [
  { code: 'PRJ-1042', label: 'Office move Frankfurt', detail: 'Facilities · Frankfurt' },
  { code: 'PRJ-1011', label: 'Zürich data centre migration', detail: 'IT · Zürich' },
  { code: 'PRJ-1024', label: 'Works council elections', detail: 'HR · Frankfurt' },
  { code: 'CC-100', label: 'Cost centre General management' },
] satisfies CatalogItem[];

/** Every secret a test run uses; none may appear in a log line or a response a browser sees. */
export const SECRETS = [CREDENTIALS.password, CLIENT.secret];

/** The fake Concur of the test running now (useFakeConcur makes one per test); makeApp connects its company. */
let currentConcur: SandboxConcur | undefined;

/** One msw server per test file, reset to the fake Concur's success handlers before each test. */
/** The apps the tests made, whose launches may still be completing in the background. */
const backgrounds: AppDeps[] = [];

export function useFakeConcur(): { msw: SetupServer; concur: () => SandboxConcur } {
  const msw = setupServer();
  let concur!: SandboxConcur;
  before(() => msw.listen({ onUnhandledFrame: 'error' }));
  beforeEach(() => {
    concur = new SandboxConcur({
      base: CONCUR,
      tokenBase: CONCUR_TOKEN_HOST,
      clientId: CLIENT.id,
      clientSecret: CLIENT.secret,
      redirectUri: CLIENT.redirect,
    });
    currentConcur = concur;
    msw.resetHandlers(...concurHandlers(concur));
  });
  // A launch completes after its page is sent: what a test started ends before the next one counts calls.
  afterEach(async () => {
    for (const deps of backgrounds.splice(0)) await Promise.all([deps.launches?.idle(), deps.itemReads?.idle()]);
  });
  after(() => {
    currentConcur = undefined;
    msw.close();
  });
  return { msw, concur: () => concur };
}

export async function makeApp(
  opts: {
    env?: Record<string, string>;
    client?: Partial<ConcurClientOptions>;
    now?: () => number;
    /**
     * Connect the fake Concur's company first, as an administrator would (default: yes, when the file uses the
     * fake Concur): entries are written with the company's token.
     */
    connected?: boolean;
  } = {},
) {
  // A fields file names its own fields: CATALOG_FIELDS is for installations without one.
  const { CATALOG_FIELDS, ...withoutCatalogFields } = ENV;
  const config = loadConfig({
    ...(opts.env?.FIELDS_FILE ? withoutCatalogFields : { ...ENV, CATALOG_FIELDS }),
    ...opts.env,
  });
  const logs: string[] = [];
  const logger = createLogger('debug', { write: (line: string) => void logs.push(line) });
  const deps = await buildDeps(config, {
    logger,
    catalog: new Catalog(CATALOG_ITEMS),
    now: opts.now,
    client: { backoffMs: 1, timeoutMs: 300, ...opts.client },
  });
  // Seeded without an HTTP call, so tests that watch Concur's traffic or count grants see only their own.
  if (opts.connected !== false && currentConcur) {
    const c = currentConcur;
    const issued = c.redeemCompanyRequestToken(SANDBOX_COMPANY.id, c.issueCompanyRequestToken())!;
    c.grants.password -= 1;
    await deps.company.keep(
      SANDBOX_COMPANY.id,
      {
        accessToken: issued.accessToken,
        refreshToken: issued.refreshToken,
        expiresAt: (opts.now ?? Date.now)() + issued.expiresIn * 1000,
        refreshExpiresAt: issued.refreshExpiresAt * 1000,
        geolocation: c.base,
      },
      SANDBOX_COMPANY.adminId,
    );
  }
  deps.launches = new LaunchesInFlight();
  deps.itemReads = new ItemReads();
  backgrounds.push(deps);
  return { app: createApp(deps), deps, logs, config };
}

export interface LaunchOptions {
  signed?: Partial<SignedLaunchV4>;
  /** Applied after signing, to simulate tampering. */
  tamper?: Record<string, string>;
  unsigned?: Record<string, string>;
  credentials?: { username: string; password: string };
  omit?: string[];
}

/** A launch query string exactly as Concur would send it, with a fresh nonce and authorization code. */
export function launchQuery(concur: SandboxConcur, opts: LaunchOptions = {}): URLSearchParams {
  const signed: SignedLaunchV4 = {
    company_domain: 'acmecorp.com',
    logged_in_user_id: SANDBOX_USER.id,
    report_owner_user_id: SANDBOX_USER.id,
    report_owner_employee_id: 'EMP-00042',
    item_url:
      `${CONCUR}/expensereports/v4/users/${SANDBOX_USER.id}/context/TRAVELER` +
      `/reports/764428DD6A664AF0BFCB/expenses/${EXPENSE_ID}`,
    nonce: crypto.randomUUID(),
    ...opts.signed,
  };
  const q = new URLSearchParams({
    ...signed,
    custom_field_launched_from: 'custom12',
    source: 'ENTRY',
    is_mobile: 'false',
    signature: signLaunchV4(signed, opts.credentials ?? CREDENTIALS),
    client_auth_code: concur.issueAuthCode(SANDBOX_USER.id),
    language_code: 'en-GB',
    ...opts.unsigned,
    ...opts.tamper,
  });
  for (const k of opts.omit ?? []) q.delete(k);
  return q;
}

type App = Awaited<ReturnType<typeof makeApp>>['app'];

/** The popup's claim of the session a launch answered with: its page comes first, then the claim waits for the exchange. */
export async function claimAfter(app: App, q: URLSearchParams): Promise<Response> {
  const launched = await app.request(`/launchexternalurl/v4/form?${q.toString()}`);
  if (launched.status !== 200) throw new Error(`launch answered ${launched.status}: ${await launched.text()}`);
  const cookie = launched.headers.get('set-cookie')!.split(';')[0]!;
  return app.request('/api/session', { method: 'POST', headers: { cookie } });
}

/** Runs a launch and claims its session, as the popup does; returns the bearer token. */
export async function launchSession(app: App, concur: SandboxConcur, opts: LaunchOptions = {}): Promise<string> {
  const claim = await claimAfter(app, launchQuery(concur, opts));
  return ((await claim.json()) as { token: string }).token;
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** POST /api/commit with a JSON body (a code, or a wizard's answers), as the popup sends it. */
export const postCommit = (
  app: { request(path: string, init: RequestInit): Response | Promise<Response> },
  token: string,
  body: object,
) =>
  app.request('/api/commit', {
    method: 'POST',
    headers: { ...bearer(token), 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

/** A fields file with this content, in a folder of its own; its path, for FIELDS_FILE. */
export function fieldsFile(content: object): string {
  const path = join(mkdtempSync(join(tmpdir(), 'fields-')), 'fields.json');
  writeFileSync(path, JSON.stringify(content));
  return path;
}
