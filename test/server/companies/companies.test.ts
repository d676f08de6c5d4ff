// One connector for many companies: each launch is verified with its company's own credentials, each session
// searches its company's catalogs and writes with its company's tokens, Test Connection finds the company by its
// user name, a rotation accepts both pairs until the new one is tested, and a removed company is forgotten.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  bearer,
  CREDENTIALS,
  launchQuery,
  launchSession,
  makeApp,
  postCommit,
  useFakeConcur,
  EXPENSE_ID,
  ENV,
  claimAfter,
} from '../helpers.ts';
import { loadConfig } from '../../../server/config.ts';
import { buildDeps } from '../../../server/compose.ts';
import { createApp } from '../../../server/app.ts';
import { createLogger } from '../../../server/logger.ts';
import { Catalog } from '../../../server/sources/catalog.ts';
import {
  addCompany,
  removeCompany,
  rotateCredentials,
  setCatalog,
  setFields,
  type AdminDeps,
} from '../../../server/companies/admin.ts';
import { companyAccess } from '../../../server/companies/company.ts';
import { scopedStore } from '../../../server/store/scoped.ts';
import { companyScope } from '../../../server/companies/record.ts';
import { SANDBOX_COMPANY } from '../../../server/sandbox/concur-state.ts';
import { COMPANY_CONNECTION } from '../../../server/concur/company-connection.ts';
import type { SandboxConcur } from '../../../server/sandbox/concur-state.ts';
import type { ErrorBody, SearchResponse } from '../../../src/contract/api.ts';

const { concur } = useFakeConcur();

const csv = (rows: [string, string][]) => ({
  format: 'csv' as const,
  text: `code,label\n${rows.map((r) => r.join(',')).join('\n')}\n`,
});

/** The app with two registered companies, each with its own catalog for custom12, beside the configuration's own. */
async function twoCompanies() {
  const made = await makeApp();
  const admin: AdminDeps = made.deps;
  const alpha = await addCompany(admin, 'alpha.example', 'Alpha');
  const beta = await addCompany(admin, 'beta.example', 'Beta');
  await setCatalog(
    admin,
    'alpha.example',
    csv([
      ['ALPHA-1', 'Apollo programme'],
      ['ALPHA-2', 'Artemis programme'],
    ]),
    'custom12',
  );
  await setCatalog(
    admin,
    'beta.example',
    csv([
      ['BETA-1', 'Borealis programme'],
      ['BETA-2', 'Boreas programme'],
    ]),
    'custom12',
  );
  const pair = (r: typeof alpha) => ({ username: r.connectorUsername, password: r.connectorPassword });
  return { ...made, admin, alpha, beta, alphaPair: pair(alpha), betaPair: pair(beta) };
}

/** Connects a registered company's App Center connection, as its administrator would. */
async function connect(admin: AdminDeps, id: string, c: SandboxConcur) {
  const { company } = companyAccess(admin, scopedStore(admin.store, companyScope(id), id));
  const issued = c.redeemCompanyRequestToken(SANDBOX_COMPANY.id, c.issueCompanyRequestToken())!;
  await company.keep(SANDBOX_COMPANY.id, {
    accessToken: issued.accessToken,
    refreshToken: issued.refreshToken,
    expiresAt: Date.now() + issued.expiresIn * 1000,
    refreshExpiresAt: issued.refreshExpiresAt * 1000,
    geolocation: c.base,
  });
}

/** What `attempt` gives once it succeeds, trying again every 200 ms for up to 10 s (the registry polls every 2 s). */
async function eventually<T>(attempt: () => Promise<T>): Promise<T> {
  const until = Date.now() + 10_000;
  for (;;) {
    try {
      return await attempt();
    } catch (error) {
      if (Date.now() > until) throw error;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

const search = async (
  app: { request: (p: string, i?: RequestInit) => Response | Promise<Response> },
  token: string,
  q: string,
) =>
  (await (
    await app.request(`/api/search?q=${encodeURIComponent(q)}`, { headers: bearer(token) })
  ).json()) as SearchResponse;

test("each company's launch opens a session that searches only that company's catalog", async () => {
  const { app, alphaPair, betaPair } = await twoCompanies();
  const a = await launchSession(app, concur(), { signed: { company_domain: 'alpha.example' }, credentials: alphaPair });
  const b = await launchSession(app, concur(), { signed: { company_domain: 'beta.example' }, credentials: betaPair });
  assert.deepEqual(
    (await search(app, a, 'programme')).items.map((i) => i.code),
    ['ALPHA-1', 'ALPHA-2'],
  );
  assert.deepEqual(
    (await search(app, b, 'programme')).items.map((i) => i.code),
    ['BETA-1', 'BETA-2'],
  );
  assert.equal((await search(app, a, 'borealis')).total, 0, "A's session never sees B's rows");
  // The configuration's own company still serves every other domain, with its own credentials and catalog.
  const own = await launchSession(app, concur(), { signed: { company_domain: 'acmecorp.com' } });
  assert.equal((await search(app, own, 'frankfurt')).items[0]?.code, 'PRJ-1042');
  assert.equal((await search(app, own, 'programme')).total, 0);
});

test("a launch signed with another company's credentials, or the configuration's, is refused with 401", async () => {
  const { app, betaPair, logs } = await twoCompanies();
  for (const credentials of [betaPair, CREDENTIALS]) {
    const q = launchQuery(concur(), { signed: { company_domain: 'alpha.example' }, credentials });
    const res = await app.request(`/launchexternalurl/v4/form?${q.toString()}`, {
      headers: { accept: 'application/json' },
    });
    assert.equal(res.status, 401);
    assert.equal(((await res.json()) as ErrorBody).error.code, 'launch_signature_invalid');
  }
  const named = logs.filter((l) => l.includes('"companyDomain":"alpha.example"'));
  assert.equal(named.length, 2, 'one log line per refusal, naming the domain');
});

test("a session token with another company's prefix finds nothing: 401", async () => {
  const { app, alpha, beta, alphaPair } = await twoCompanies();
  const a = await launchSession(app, concur(), { signed: { company_domain: 'alpha.example' }, credentials: alphaPair });
  assert.ok(a.startsWith(`${alpha.company}.`));
  const moved = `${beta.company}.${a.slice(alpha.company.length + 1)}`;
  const res = await app.request('/api/context', { headers: bearer(moved) });
  assert.equal(res.status, 401);
  const unprefixed = a.slice(alpha.company.length + 1);
  assert.equal((await app.request('/api/context', { headers: bearer(unprefixed) })).status, 401);
});

test("an entry is written with its own company's token: a company that is not connected cannot use another's", async () => {
  const { app, admin, alpha, alphaPair, betaPair } = await twoCompanies();
  await connect(admin, alpha.company, concur());
  const a = await launchSession(app, concur(), { signed: { company_domain: 'alpha.example' }, credentials: alphaPair });
  const written = await postCommit(app, a, { code: 'ALPHA-2' });
  assert.equal(written.status, 200, await written.clone().text());
  assert.equal(concur().fieldValue(EXPENSE_ID, 'custom12'), 'ALPHA-2');
  const b = await launchSession(app, concur(), { signed: { company_domain: 'beta.example' }, credentials: betaPair });
  const refused = await postCommit(app, b, { code: 'BETA-1' });
  assert.equal(refused.status, 409);
  assert.equal(((await refused.json()) as ErrorBody).error.code, 'company_not_connected');
  assert.equal(concur().fieldValue(EXPENSE_ID, 'custom12'), 'ALPHA-2', 'nothing was written for B');
});

test('Test Connection finds the company by its user name; a rotation accepts both pairs until the new one is tested', async () => {
  const { app, admin, alphaPair, betaPair } = await twoCompanies();
  const basic = (p: { username: string; password: string }) => ({
    authorization: `Basic ${Buffer.from(`${p.username}:${p.password}`).toString('base64')}`,
  });
  const status = async (p: { username: string; password: string }) =>
    (await app.request('/system/v1.0/testconnection', { headers: basic(p) })).status;
  assert.equal(await status(alphaPair), 200);
  assert.equal(await status(betaPair), 200);
  assert.equal(await status(CREDENTIALS), 200, "the configuration's own pair");
  assert.equal(await status({ username: alphaPair.username, password: betaPair.password }), 401);

  const rotated = await rotateCredentials(admin, 'alpha.example');
  const next = { username: rotated.connectorUsername, password: rotated.connectorPassword };
  assert.notEqual(next.password, alphaPair.password);
  // The registry reads a changed company again at most once a second (its poll does it every two).
  await new Promise((r) => setTimeout(r, 1100));
  // Until the administrator has entered the new pair, Concur signs with the old one: both work.
  await launchSession(app, concur(), { signed: { company_domain: 'alpha.example' }, credentials: alphaPair });
  await launchSession(app, concur(), { signed: { company_domain: 'alpha.example' }, credentials: next });
  assert.equal(await status(alphaPair), 200);
  assert.equal(await status(next), 200, 'Test Connection with the new pair ends the rotation');
  assert.equal(await status(alphaPair), 401);
  const old = launchQuery(concur(), { signed: { company_domain: 'alpha.example' }, credentials: alphaPair });
  assert.equal((await app.request(`/launchexternalurl/v4/form?${old.toString()}`)).status, 401);
});

test('a company added to the store is served within seconds, and a removed one is forgotten with its sessions', async (t) => {
  const { app, admin, alphaPair, deps } = await twoCompanies();
  // The registry reads the store every two seconds, as a running server does.
  await deps.registry.start();
  t.after(() => deps.registry.stop());
  const gamma = await addCompany(admin, 'gamma.example');
  await setFields(
    admin,
    'gamma.example',
    JSON.stringify({ sources: { all: { type: 'catalog' } }, fields: { custom12: 'all' } }),
  );
  await setCatalog(admin, 'gamma.example', csv([['GAMMA-1', 'Gemini programme']]));
  const gammaPair = { username: gamma.connectorUsername, password: gamma.connectorPassword };
  // Served once the registry has read the store again (a running server polls it every two seconds).
  const g = await eventually(() =>
    launchSession(app, concur(), { signed: { company_domain: 'gamma.example' }, credentials: gammaPair }),
  );
  assert.deepEqual(
    (await search(app, g, 'gemini')).items.map((i) => i.code),
    ['GAMMA-1'],
  );

  const a = await launchSession(app, concur(), { signed: { company_domain: 'alpha.example' }, credentials: alphaPair });
  assert.equal((await app.request('/api/context', { headers: bearer(a) })).status, 200);
  await removeCompany(admin, 'alpha.example');
  // Its sessions are gone from the store at once.
  assert.equal((await app.request('/api/context', { headers: bearer(a) })).status, 401);
  // Its launches are refused once the registry has read the store again (within its two-second poll).
  const refused = async () => {
    const again = launchQuery(concur(), { signed: { company_domain: 'alpha.example' }, credentials: alphaPair });
    return (await app.request(`/launchexternalurl/v4/form?${again.toString()}`)).status === 401;
  };
  assert.ok(await eventually(async () => ((await refused()) ? true : Promise.reject(new Error('still served')))));
});

describe('the Connect page links a Concur company to the registered company whose verification code it is given', () => {
  const LINKS = {
    CONNECT_PRIVACY_URL: 'https://connector.example.com/privacy',
    CONNECT_SUPPORT_URL: 'https://connector.example.com/support',
  };
  type App = Awaited<ReturnType<typeof makeApp>>['app'];
  async function open(app: App) {
    const link = `/concur/connect?${new URLSearchParams({
      id: SANDBOX_COMPANY.id,
      requestToken: concur().issueCompanyRequestToken(),
      userId: SANDBOX_COMPANY.adminId,
    }).toString()}`;
    const res = await app.request(link);
    const cookie = res.headers.get('set-cookie')!.split(';')[0]!;
    const html = await (await app.request('/concur/connect/confirm', { headers: { cookie } })).text();
    return { cookie, html, code: /name="code" value="([^"]+)"/.exec(html)![1]! };
  }
  const confirm = (app: App, cookie: string, fields: Record<string, string>) =>
    app.request('/concur/connect/confirm', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie, accept: 'text/html' },
      body: new URLSearchParams(fields).toString(),
    });

  test('a wrong code is refused and can be corrected; the right one links and connects that company only', async () => {
    const { app, deps } = await makeApp({ env: LINKS, connected: false });
    const alpha = await addCompany(deps, 'alpha.example', 'Alpha');
    const first = await open(app);
    assert.match(first.html, /<label for="verification">Verification code<\/label>/);
    const wrong = await confirm(app, first.cookie, { code: first.code, verification: 'not-the-code' });
    assert.equal(wrong.status, 403);
    assert.match(await wrong.text(), /verification code does not match/);
    assert.equal(concur().grants.password, 0, 'nothing was exchanged');

    const right = await confirm(app, first.cookie, { code: first.code, verification: alpha.verificationCode! });
    assert.equal(right.status, 200, await right.clone().text());
    assert.match(await right.text(), /is now connected to your company in SAP Concur/);
    const scoped = scopedStore(deps.store, companyScope(alpha.company), alpha.company);
    assert.equal((await scoped.getConnection(COMPANY_CONNECTION))?.companyId, SANDBOX_COMPANY.id);
    assert.equal(await deps.store.getConnection(COMPANY_CONNECTION), undefined, "the configuration's own is untouched");
    const record = await deps.store.getCompany(alpha.company);
    assert.equal(record?.concurCompanyId, SANDBOX_COMPANY.id);
    assert.equal(record?.verificationHash, undefined, 'the code is used once');

    // Renewing from the App Center later needs no code: the Concur company is linked.
    const again = await open(app);
    assert.doesNotMatch(again.html, /Verification code/);
    assert.equal((await confirm(app, again.cookie, { code: again.code })).status, 200);
    assert.equal(await deps.store.getConnection(COMPANY_CONNECTION), undefined);
  });
});

test("once linked, a launch whose report owner is not a user of the company's Concur company is refused", async () => {
  const { app, admin, alpha, alphaPair } = await twoCompanies();
  await connect(admin, alpha.company, concur());
  const record = (await admin.store.getCompany(alpha.company))!;
  await admin.store.putCompany({ ...record, concurCompanyId: SANDBOX_COMPANY.id, updatedAt: record.updatedAt + 1 });
  // Jane is a user of the sandbox company: her launch passes the check (Identity v4 with Alpha's company token).
  const own = launchQuery(concur(), { signed: { company_domain: 'alpha.example' }, credentials: alphaPair });
  assert.equal((await app.request(`/launchexternalurl/v4/form?${own.toString()}`)).status, 200);
  const stranger = launchQuery(concur(), {
    signed: { company_domain: 'alpha.example', report_owner_user_id: '5e5e5e5e-0000-4000-8000-000000000001' },
    credentials: alphaPair,
  });
  const res = await claimAfter(app, stranger);
  assert.equal(res.status, 403);
  assert.equal(((await res.json()) as ErrorBody).error.code, 'launch_company_mismatch');
});

test("a registered company's embedding routes answer its own origins, fields and catalog only", async () => {
  const { app, admin, alpha, beta } = await twoCompanies();
  const portal = 'https://portal.alpha.example';
  await setFields(
    admin,
    'alpha.example',
    JSON.stringify({ sources: {}, embed: { origins: [portal], fields: ['custom12'] } }),
  );
  const at = (company: string, path: string, origin = portal) =>
    app.request(`/embed/v1/companies/${company}${path}`, { headers: { origin } });

  const found = await at(alpha.company, '/fields/custom12/search?q=programme');
  assert.equal(found.status, 200);
  assert.equal(found.headers.get('access-control-allow-origin'), portal);
  assert.deepEqual(
    ((await found.json()) as SearchResponse).items.map((i) => i.code),
    ['ALPHA-1', 'ALPHA-2'],
  );
  const elsewhere = await at(alpha.company, '/fields/custom12/search?q=programme', 'https://portal.beta.example');
  assert.equal(elsewhere.headers.get('access-control-allow-origin'), null, "another origin's page cannot read it");

  const code = async (res: Response | Promise<Response>) => ((await (await res).json()) as ErrorBody).error.code;
  assert.equal(await code(at(beta.company, '/fields/custom12/search?q=programme')), 'embed_off', 'B embeds nothing');
  assert.equal(await code(at(alpha.company, '/fields/custom13/search?q=x')), 'field_not_embeddable');
  assert.equal(await code(at('zzzzzzzzzz', '/config')), 'not_found');
  // The configuration's own picker (no EMBED_ALLOWED_ORIGINS here) stays off, whatever a company allows.
  assert.equal(
    await code(app.request('/embed/v1/fields/custom12/search?q=programme', { headers: { origin: portal } })),
    'embed_off',
  );
  const config = (await (await at(alpha.company, '/config')).json()) as { allowedOrigins: string[] };
  assert.deepEqual(config.allowedOrigins, [portal]);
  const page = await at(alpha.company, '/picker?field=custom12');
  assert.match(
    page.headers.get('content-security-policy') ?? '',
    /frame-ancestors https:\/\/portal\.alpha\.example(;|$)/,
  );
});

test('a partner deployment without a company of its own serves registered companies only', async () => {
  const { CONNECTOR_USERNAME: _u, CONNECTOR_PASSWORD: _p, CATALOG_FIELDS: _f, ...partner } = ENV;
  const config = loadConfig(partner);
  assert.equal(config.connector, undefined, 'no CONNECTOR_* and no CATALOG_FIELDS: no company of its own');
  const deps = await buildDeps(config, { logger: createLogger('silent'), catalog: new Catalog([]) });
  const app = createApp(deps);
  const alpha = await addCompany(deps, 'alpha.example');
  await setCatalog(deps, 'alpha.example', csv([['ALPHA-1', 'Apollo programme']]), 'custom12');
  const pair = { username: alpha.connectorUsername, password: alpha.connectorPassword };
  const a = await launchSession(app, concur(), { signed: { company_domain: 'alpha.example' }, credentials: pair });
  assert.deepEqual(
    (await search(app, a, 'apollo')).items.map((i) => i.code),
    ['ALPHA-1'],
  );

  const other = launchQuery(concur(), { signed: { company_domain: 'acmecorp.com' }, credentials: CREDENTIALS });
  const refused = await app.request(`/launchexternalurl/v4/form?${other.toString()}`, {
    headers: { accept: 'application/json' },
  });
  assert.equal(refused.status, 401, 'a domain no registered company claims');
  assert.match(((await refused.json()) as ErrorBody).error.message, /does not serve/);
  const basic = `Basic ${Buffer.from(`${CREDENTIALS.username}:${CREDENTIALS.password}`).toString('base64')}`;
  assert.equal((await app.request('/system/v1.0/testconnection', { headers: { authorization: basic } })).status, 401);
});

test('requests naming unknown companies share one registry read, and a second rotation waits for Test Connection', async () => {
  const { app, admin } = await twoCompanies();
  let reads = 0;
  const list = admin.store.listCompanies.bind(admin.store);
  admin.store.listCompanies = async () => {
    reads++;
    await new Promise((r) => setTimeout(r, 50));
    return list();
  };
  await new Promise((r) => setTimeout(r, 1100)); // past the once-a-second throttle
  const answers = await Promise.all(
    Array.from({ length: 200 }, async (_, i) =>
      app.request('/api/context', { headers: bearer(`nosuch${String(i).padStart(4, '0')}.x`) }),
    ),
  );
  assert.ok(answers.every((r) => r.status === 401));
  assert.ok(reads <= 1, `${reads} registry reads for 200 requests`);
  const junk = await Promise.all(
    ['x.', '.x', 'NOT-AN-ID.x', `${'a'.repeat(40)}.x`].map(async (t) =>
      app.request('/api/context', { headers: bearer(t) }),
    ),
  );
  assert.ok(junk.every((r) => r.status === 401));

  await rotateCredentials(admin, 'alpha.example');
  await assert.rejects(rotateCredentials(admin, 'alpha.example'), /waiting for Concur's Test Connection/);
  await assert.rejects(addCompany(admin, 'localhost'), /has a dot/);
});

test('where the Connect page asks for a verification code, an empty one connects nothing', async () => {
  const LINKS = {
    CONNECT_PRIVACY_URL: 'https://connector.example.com/privacy',
    CONNECT_SUPPORT_URL: 'https://connector.example.com/support',
  };
  const { app, deps } = await makeApp({ env: LINKS, connected: false });
  await addCompany(deps, 'alpha.example');
  const link = `/concur/connect?${new URLSearchParams({
    id: SANDBOX_COMPANY.id,
    requestToken: concur().issueCompanyRequestToken(),
  }).toString()}`;
  const cookie = (await app.request(link)).headers.get('set-cookie')!.split(';')[0]!;
  const html = await (await app.request('/concur/connect/confirm', { headers: { cookie } })).text();
  const code = /name="code" value="([^"]+)"/.exec(html)![1]!;
  const res = await app.request('/concur/connect/confirm', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie, accept: 'text/html' },
    body: new URLSearchParams({ code, verification: '' }).toString(),
  });
  assert.equal(res.status, 403);
  assert.match(await res.text(), /needs the verification code/);
  assert.equal(concur().grants.password, 0, 'nothing was exchanged');
  assert.equal(await deps.store.getConnection(COMPANY_CONNECTION), undefined);
});
