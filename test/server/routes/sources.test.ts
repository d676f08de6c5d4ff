// Every launch source and write path against the fake Concur: headers, entries (unsubmitted and submitted),
// allocations, delegates; where calls go (geolocation, error 16, an API base override); and token lifetimes.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { http, HttpResponse } from 'msw';
import {
  CONCUR,
  CLIENT,
  bearer,
  claimAfter,
  launchQuery,
  launchSession,
  makeApp,
  useFakeConcur,
  type LaunchOptions,
  postCommit,
} from '../helpers.ts';
import { CONCUR_TOKEN_HOST } from '../../../server/concur/hosts.ts';
import {
  SANDBOX_COMPANY,
  SANDBOX_DELEGATE,
  SANDBOX_FIELDS,
  SANDBOX_IDS,
  SANDBOX_REPORT,
  SANDBOX_SUBMITTED_REPORT,
  SANDBOX_USER,
  SandboxConcur,
} from '../../../server/sandbox/concur-state.ts';
import { concurHandlers } from '../../../server/sandbox/concur-handlers.ts';
import type { CommitResponse, ErrorBody, SessionContext } from '../../../src/contract/api.ts';

const { msw, concur } = useFakeConcur();
type App = Awaited<ReturnType<typeof makeApp>>['app'];

const commit = (app: App, token: string, code: string) => postCommit(app, token, { code });
const context = async (app: App, token: string) => {
  const res = await app.request('/api/context', { headers: bearer(token) });
  assert.equal(res.status, 200, await res.clone().text());
  return (await res.json()) as SessionContext;
};

/** Records the method, URL and body of every write that reaches a fake Concur. */
function recordWrites() {
  const writes: { method: string; url: string; body: unknown }[] = [];
  msw.events.on('request:start', async ({ request }) => {
    if (request.method === 'PATCH' || request.method === 'PUT')
      writes.push({ method: request.method, url: request.url, body: await request.clone().json() });
  });
  return writes;
}

/** Connects the app to the company as it lives at this fake Concur (makeApp connects the default one). */
async function connectCompanyAt(deps: Awaited<ReturnType<typeof makeApp>>['deps'], c: SandboxConcur) {
  const issued = c.redeemCompanyRequestToken(SANDBOX_COMPANY.id, c.issueCompanyRequestToken())!;
  await deps.company.keep(SANDBOX_COMPANY.id, {
    accessToken: issued.accessToken,
    refreshToken: issued.refreshToken,
    expiresAt: Date.now() + issued.expiresIn * 1000,
    refreshExpiresAt: issued.refreshExpiresAt * 1000,
    geolocation: c.base,
  });
}

const headerLaunch = (c: SandboxConcur, reportId: string = SANDBOX_REPORT.id): LaunchOptions => ({
  signed: { item_url: c.reportUrl(reportId) },
  unsigned: { source: 'HEADER', custom_field_launched_from: SANDBOX_FIELDS.HEADER.id },
});
const allocationLaunch = (c: SandboxConcur, allocationId: string = SANDBOX_IDS.hotelAllocationA): LaunchOptions => ({
  signed: { item_url: c.allocationUrl(allocationId) },
  unsigned: {
    source: 'ALLOCATION',
    custom_field_launched_from: SANDBOX_FIELDS.ALLOCATION.id,
    expense_ids: SANDBOX_IDS.hotel,
  },
});

describe('report header launches', () => {
  test('show the report, and write customData with reportSource to the report', async () => {
    const writes = recordWrites();
    const { app } = await makeApp();
    const token = await launchSession(app, concur(), headerLaunch(concur()));
    const ctx = await context(app, token);
    assert.deepEqual(ctx.item, {
      kind: 'HEADER',
      reportName: 'November client visit',
      total: { value: 352.5, currency: 'EUR' },
    });
    assert.equal(ctx.field.id, 'custom5');
    assert.equal((await commit(app, token, 'CC-100')).status, 200);
    msw.events.removeAllListeners();
    assert.deepEqual(writes, [
      {
        method: 'PATCH',
        url: `${CONCUR}/expensereports/v4/users/${SANDBOX_USER.id}/context/TRAVELER/reports/${SANDBOX_REPORT.id}`,
        body: { customData: [{ id: 'custom5', value: 'CC-100', isValid: true }], reportSource: 'OTHER' },
      },
    ]);
    assert.equal(concur().headerFieldValue(SANDBOX_REPORT.id, 'custom5'), 'CC-100');
    assert.equal(
      concur().headerFieldValue(SANDBOX_REPORT.id, 'custom1'),
      'Client visit Frankfurt',
      'other header fields are untouched',
    );
  });
});

describe('allocation launches', () => {
  test("show percentage and amount, and write allocation.customData with the launch's expenseIds", async () => {
    const writes = recordWrites();
    const { app } = await makeApp();
    const token = await launchSession(app, concur(), allocationLaunch(concur()));
    const ctx = await context(app, token);
    assert.deepEqual(ctx.item, { kind: 'ALLOCATION', percentage: 60, amount: { value: 186, currency: 'EUR' } });
    assert.equal(ctx.report.name, 'November client visit');
    assert.equal((await commit(app, token, 'PRJ-1011')).status, 200);
    msw.events.removeAllListeners();
    assert.deepEqual(writes, [
      {
        method: 'PATCH',
        url:
          `${CONCUR}/expensereports/v4/users/${SANDBOX_USER.id}/context/TRAVELER` +
          `/reports/${SANDBOX_REPORT.id}/allocations/${SANDBOX_IDS.hotelAllocationA}`,
        body: {
          allocation: { customData: [{ id: 'custom9', value: 'PRJ-1011', isValid: true }] },
          expenseIds: [SANDBOX_IDS.hotel],
        },
      },
    ]);
    assert.equal(concur().allocationFieldValue(SANDBOX_IDS.hotelAllocationA, 'custom9'), 'PRJ-1011');
    assert.equal(
      concur().allocationFieldValue(SANDBOX_IDS.hotelAllocationB, 'custom9'),
      null,
      'the other allocation is untouched',
    );
  });

  test('without expense_ids (unsigned, only a hint) the allocation is still written, with the expense Concur names', async () => {
    const { app } = await makeApp();
    const opts = allocationLaunch(concur());
    delete opts.unsigned!.expense_ids;
    const token = await launchSession(app, concur(), opts);
    assert.equal((await postCommit(app, token, { code: 'PRJ-1042' })).status, 200);
    assert.equal(
      concur()
        .allocations.get(SANDBOX_IDS.hotelAllocationA)!
        .customData.find((f) => f.id === SANDBOX_FIELDS.ALLOCATION.id)?.value,
      'PRJ-1042',
    );
  });

  test('a source that does not match item_url is refused with 400', async () => {
    const { app } = await makeApp();
    const q = launchQuery(concur(), { ...headerLaunch(concur()), unsigned: { source: 'ENTRY' } });
    const res = await app.request(`/launchexternalurl/v4/form?${q.toString()}`);
    assert.equal(res.status, 400);
    assert.match(await res.text(), /source=ENTRY, but its item_url points to a report header/);
  });
});

describe('entries on submitted reports', () => {
  test('are written through the submitted-report path, without user or context', async () => {
    const writes = recordWrites();
    const { app } = await makeApp();
    const entry = concur().expenses.get(SANDBOX_IDS.train)!;
    const token = await launchSession(app, concur(), { signed: { item_url: concur().entryUrl(entry) } });
    const ctx = await context(app, token);
    assert.equal(ctx.report.submitted, true);
    assert.equal(ctx.report.name, SANDBOX_SUBMITTED_REPORT.name);
    assert.equal((await commit(app, token, 'PRJ-1042')).status, 200);
    msw.events.removeAllListeners();
    assert.deepEqual(writes, [
      {
        method: 'PATCH',
        url: `${CONCUR}/expensereports/v4/reports/${SANDBOX_SUBMITTED_REPORT.id}/expenses/${SANDBOX_IDS.train}`,
        body: { customData: [{ id: 'custom12', value: 'PRJ-1042', isValid: true }], expenseSource: 'OTHER' },
      },
    ]);
    assert.deepEqual(
      concur().writes.map((w) => [w.path, w.principal.kind]),
      [['entry', 'company']],
      "with the company's token",
    );
    assert.equal(concur().fieldValue(SANDBOX_IDS.train, 'custom12'), 'PRJ-1042');
  });
});

describe('delegates', () => {
  const delegateLaunch = (c: SandboxConcur): LaunchOptions => ({
    signed: {
      logged_in_user_id: SANDBOX_DELEGATE.id,
      item_url: c.entryUrl(c.expenses.get(SANDBOX_IDS.taxi)!, 'PROXY'),
    },
  });

  test(
    "read and write the owner's entry in the PROXY context named by item_url, " + 'and say whose report it is',
    async () => {
      const writes = recordWrites();
      const reads: string[] = [];
      msw.events.on('request:start', ({ request }) => {
        if (request.method === 'GET') reads.push(request.url);
      });
      const { app } = await makeApp();
      // The authorization code belongs to the delegate who clicked.
      const opts = delegateLaunch(concur());
      const q = launchQuery(concur(), opts);
      q.set('client_auth_code', concur().issueAuthCode(SANDBOX_DELEGATE.id));
      const res = await app.request(`/launchexternalurl/v4/form?${q.toString()}`);
      assert.equal(res.status, 200);
      const cookie = res.headers.get('set-cookie')!.split(';')[0]!;
      const { token } = (await (await app.request('/api/session', { method: 'POST', headers: { cookie } })).json()) as {
        token: string;
      };
      const ctx = await context(app, token);
      assert.deepEqual(ctx.report, {
        name: 'November client visit',
        submitted: false,
        paid: false,
        ownerEmployeeId: 'EMP-00042',
        onBehalfOfOwner: true,
      });
      assert.equal((await commit(app, token, 'PRJ-1024')).status, 200);
      msw.events.removeAllListeners();
      // The delegate's token reads the owner's entry in the PROXY context item_url names (for the context, and
      // again before the write); the entry itself is written on the short path with the company's token.
      const proxyEntry = `${CONCUR}/expensereports/v4/users/${SANDBOX_USER.id}/context/PROXY/reports/${SANDBOX_REPORT.id}/expenses/${SANDBOX_IDS.taxi}`;
      assert.equal(reads.filter((u) => u === proxyEntry).length, 2, JSON.stringify(reads));
      assert.deepEqual(
        writes.map((w) => w.url),
        [`${CONCUR}/expensereports/v4/reports/${SANDBOX_REPORT.id}/expenses/${SANDBOX_IDS.taxi}`],
      );
      assert.deepEqual(
        concur().writes.map((w) => [w.path, w.principal.kind, w.itemId]),
        [['entry', 'company', SANDBOX_IDS.taxi]],
      );
      assert.equal(concur().fieldValue(SANDBOX_IDS.taxi, 'custom12'), 'PRJ-1024');
    },
  );

  test("the owner's own launch is not marked as on behalf of anyone", async () => {
    const { app } = await makeApp();
    const ctx = await context(app, await launchSession(app, concur()));
    assert.equal(ctx.report.onBehalfOfOwner, false);
  });
});

test("the field's current value is returned with its catalog item, for the picker to preselect", async () => {
  const { app } = await makeApp();
  concur().allocations.get(SANDBOX_IDS.hotelAllocationA)!.customData[0]!.value = 'PRJ-1024';
  const ctx = await context(app, await launchSession(app, concur(), allocationLaunch(concur())));
  assert.equal(ctx.currentValue, 'PRJ-1024');
  assert.deepEqual(ctx.currentItem, { code: 'PRJ-1024', label: 'Works council elections', detail: 'HR · Frankfurt' });
});

describe('where calls go', () => {
  const EMEA = 'https://emea.api.concursolutions.com';
  const emeaConcur = () =>
    new SandboxConcur({ base: EMEA, clientId: CLIENT.id, clientSecret: CLIENT.secret, redirectUri: CLIENT.redirect });

  test("API calls go to the token's geolocation, with the item's own path", async () => {
    const emea = emeaConcur();
    msw.use(...concurHandlers(emea));
    // The company lives in EMEA too: its token's geolocation is where the entry is written.
    const { app, deps } = await makeApp({ connected: false });
    await connectCompanyAt(deps, emea);
    // Concur's token endpoint at the default host hands out a token whose geolocation is EMEA.
    msw.use(
      http.post(`${CONCUR_TOKEN_HOST}/oauth2/v0/token`, async ({ request }) => {
        const form = new URLSearchParams(await request.text());
        const issued = emea.redeemCode(form.get('code')!)!;
        return HttpResponse.json({
          access_token: issued.accessToken,
          refresh_token: issued.refreshToken,
          expires_in: 3600,
          geolocation: EMEA,
        });
      }),
    );
    const q = launchQuery(concur());
    q.set('client_auth_code', emea.issueAuthCode(SANDBOX_USER.id));
    const res = await app.request(`/launchexternalurl/v4/form?${q.toString()}`);
    const cookie = res.headers.get('set-cookie')!.split(';')[0]!;
    const { token } = (await (await app.request('/api/session', { method: 'POST', headers: { cookie } })).json()) as {
      token: string;
    };
    const reads: string[] = [];
    msw.events.on('request:start', ({ request }) => {
      if (request.method === 'GET') reads.push(request.url);
    });
    const writes = recordWrites();
    assert.equal((await commit(app, token, 'PRJ-1042')).status, 200);
    msw.events.removeAllListeners();
    // The user's token reads at its geolocation, on the paths item_url names: the report, the entry and the entry's
    // form fields for the item's facts, then the report and the entry again before the write...
    const report = `${EMEA}/expensereports/v4/users/${SANDBOX_USER.id}/context/TRAVELER/reports/${SANDBOX_REPORT.id}`;
    const entry = `${report}/expenses/${SANDBOX_IDS.taxi}`;
    const formFields = `${EMEA}/expensereports/v4/reports/${SANDBOX_REPORT.id}/expenses/${SANDBOX_IDS.taxi}/formFields?expenseTypeId=TAXIX`;
    assert.deepEqual(reads.sort(), [formFields, report, report, entry, entry].sort(), JSON.stringify(reads));
    // ...and the company's token writes the entry at the company's geolocation, on the entry's short path.
    assert.deepEqual(
      writes.map((w) => w.url),
      [`${EMEA}/expensereports/v4/reports/${SANDBOX_REPORT.id}/expenses/${SANDBOX_IDS.taxi}`],
    );
    assert.deepEqual(
      emea.writes.map((w) => [w.path, w.principal.kind]),
      [['entry', 'company']],
    );
    assert.equal(emea.fieldValue(SANDBOX_IDS.taxi, 'custom12'), 'PRJ-1042');
    assert.equal(concur().fieldValue(SANDBOX_IDS.taxi, 'custom12'), null);
  });

  test('error 16 sends the exchange to the geolocation Concur names, and the next launch goes there first', async () => {
    const emea = emeaConcur();
    msw.use(...concurHandlers(emea));
    let defaultHostCalls = 0;
    msw.use(
      http.post(`${CONCUR_TOKEN_HOST}/oauth2/v0/token`, () => {
        defaultHostCalls += 1;
        return HttpResponse.json(
          { code: 16, error: 'invalid_request', error_description: 'user lives elsewhere', geolocation: EMEA },
          { status: 400 },
        );
      }),
    );
    const { app } = await makeApp();
    for (let i = 0; i < 2; i++) {
      const q = launchQuery(concur());
      q.set('client_auth_code', emea.issueAuthCode(SANDBOX_USER.id));
      assert.equal((await claimAfter(app, q)).status, 200);
    }
    assert.equal(defaultHostCalls, 1, 'remembered after the first');
    assert.equal(emea.grants.authorization_code, 2);
  });

  test('error 16 naming a host that is not allowed is refused without sending the secret there', async () => {
    let evil = 0;
    msw.use(
      http.post(`${CONCUR_TOKEN_HOST}/oauth2/v0/token`, () =>
        HttpResponse.json(
          { code: 16, error: 'invalid_request', geolocation: 'https://evil.example.com' },
          { status: 400 },
        ),
      ),
      http.all('https://evil.example.com/*', () => {
        evil += 1;
        return HttpResponse.json({});
      }),
    );
    const { app } = await makeApp();
    const res = await claimAfter(app, launchQuery(concur()));
    assert.equal(res.status, 400);
    assert.match(((await res.json()) as ErrorBody).error.message, /evil\.example\.com.*not a Concur host/);
    assert.equal(evil, 0);
  });

  test('CONCUR_API_BASE overrides the geolocation for every API call', async () => {
    const PROXY = 'https://concur-proxy.example.com';
    const proxied = new SandboxConcur({
      base: PROXY,
      clientId: CLIENT.id,
      clientSecret: CLIENT.secret,
      redirectUri: CLIENT.redirect,
    });
    msw.use(...concurHandlers(proxied).filter((h) => !h.info.header.includes('oauth2')));
    const { app } = await makeApp({ env: { CONCUR_API_BASE: PROXY } });
    // Tokens still come from the default host; the proxy must accept them.
    msw.use(
      http.all(`${PROXY}/*`, ({ request }) => {
        // The user's token stands for the user there, the company's for the company.
        const principal = concur().principalFor(request.headers.get('authorization'));
        if (principal)
          request.headers.set(
            'authorization',
            `Bearer ${principal.kind === 'company' ? proxiedCompanyToken : proxiedToken}`,
          );
        return undefined;
      }),
    );
    const proxiedToken = proxied.redeemCode(proxied.issueAuthCode(SANDBOX_USER.id))!.accessToken;
    const proxiedCompanyToken = proxied.redeemCompanyRequestToken(
      SANDBOX_COMPANY.id,
      proxied.issueCompanyRequestToken(),
    )!.accessToken;
    const token = await launchSession(app, concur());
    const reads: string[] = [];
    msw.events.on('request:start', ({ request }) => {
      if (request.method === 'GET') reads.push(request.url);
    });
    const writes = recordWrites();
    await context(app, token);
    assert.equal((await commit(app, token, 'PRJ-1042')).status, 200);
    msw.events.removeAllListeners();
    assert.ok(reads.length >= 2 && reads.every((u) => u.startsWith(PROXY)), JSON.stringify(reads));
    assert.ok(writes.length === 1 && writes.every((w) => w.url.startsWith(PROXY)), JSON.stringify(writes));
    assert.deepEqual(
      proxied.writes.map((w) => [w.path, w.principal.kind]),
      [['entry', 'company']],
    );
    assert.equal(proxied.fieldValue(SANDBOX_IDS.taxi, 'custom12'), 'PRJ-1042');
  });
});

describe('token lifetimes', () => {
  test("a popup open past the token's hour refreshes it, and never while it is valid", async () => {
    let clock = Date.now();
    const { app, deps } = await makeApp({ now: () => clock });
    const token = await launchSession(app, concur());
    for (let i = 0; i < 3; i++) await context(app, token);
    assert.equal(concur().grants.refresh_token, 0, 'no refresh while the token is valid');
    assert.equal(concur().grants.authorization_code, 1);

    clock += 59 * 60 * 1000; // within two minutes of expiry
    assert.equal((await commit(app, token, 'PRJ-1042')).status, 200);
    // The user's token, and the company's that writes the entry: issued at the same moment, it is as near its end.
    assert.equal(concur().grants.refresh_token, 2);
    assert.equal((await deps.company.status())!.refreshedAt, clock, "one of the two was the company's");
    clock += 30 * 60 * 1000;
    await context(app, token);
    assert.equal(concur().grants.refresh_token, 2, 'the refreshed token is used while valid');
    // The fake Concur rotates refresh tokens: a second refresh works only if the new one was kept.
    clock += 60 * 60 * 1000;
    await context(app, token);
    assert.equal(concur().grants.refresh_token, 3);
  });

  test('concurrent calls share one refresh', async () => {
    let clock = Date.now();
    const { app } = await makeApp({ now: () => clock });
    const token = await launchSession(app, concur());
    clock += 2 * 60 * 60 * 1000;
    await Promise.all([context(app, token), context(app, token), context(app, token)]);
    assert.equal(concur().grants.refresh_token, 1);
  });

  test('a token Concur revoked early is refreshed once and the call retried', async () => {
    const { app, deps } = await makeApp();
    const token = await launchSession(app, concur());
    const connected = (await deps.company.status())!;
    concur().expireAccessTokens();
    assert.equal((await commit(app, token, 'PRJ-1042')).status, 200);
    // Concur revoked both the user's token and the company's (which writes the entry): each is refreshed once.
    assert.equal(concur().grants.refresh_token, 2);
    const after = (await deps.company.status())!;
    assert.ok(after.connected && after.refreshedAt > connected.refreshedAt, "one of the two was the company's");
    await context(app, token);
    assert.equal(concur().grants.refresh_token, 2, 'the refreshed tokens are kept');
    assert.equal(concur().fieldValue(SANDBOX_IDS.taxi, 'custom12'), 'PRJ-1042');
  });

  test('a revoked refresh token tells the user to click again', async () => {
    let clock = Date.now();
    const { app } = await makeApp({ now: () => clock });
    const token = await launchSession(app, concur());
    await context(app, token);
    concur().revokeRefreshTokens();
    clock += 2 * 60 * 60 * 1000;
    const res = await app.request('/api/context', { headers: bearer(token) });
    assert.equal(res.status, 401);
    const { error } = (await res.json()) as ErrorBody;
    assert.equal(error.code, 'oauth_refresh_revoked');
    assert.match(error.message, /revoked or has expired. Close this window and click the button in Concur again/);
  });
});

test('a company that has not enabled the app gets a message saying who must enable it', async () => {
  msw.use(
    http.post(`${CONCUR_TOKEN_HOST}/oauth2/v0/token`, () =>
      HttpResponse.json(
        { code: 53, error: 'invalid_client', error_description: 'company not enabled' },
        { status: 400 },
      ),
    ),
  );
  const { app } = await makeApp();
  const res = await claimAfter(app, launchQuery(concur()));
  assert.equal(res.status, 401);
  const { error } = (await res.json()) as ErrorBody;
  assert.equal(error.code, 'oauth_company_not_enabled');
  assert.match(error.message, /Ask your Concur administrator to enable it/);
});

test('a second launch into an open popup gets its own session', async () => {
  const { app } = await makeApp();
  const a = await launchSession(app, concur());
  const b = await launchSession(app, concur(), headerLaunch(concur()));
  assert.notEqual(a, b);
  assert.equal((await context(app, b)).item.kind, 'HEADER');
  assert.equal((await context(app, a)).item.kind, 'ENTRY');
  const body = (await (await commit(app, b, 'CC-100')).json()) as CommitResponse;
  assert.equal(body.field, 'custom5');
});
