// The Concur client's rules: which token requests are retried, Retry-After beyond what a popup can wait, network
// retries, refresh answers missing fields, unknown report status (the company connection's own cases are in
// company-connection.test.ts, sealed secrets in ../crypto/secret-box.test.ts).
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { http, HttpResponse } from 'msw';
import { CONCUR, CLIENT, bearer, launchSession, makeApp, useFakeConcur, postCommit } from '../helpers.ts';
import { CONCUR_TOKEN_HOST } from '../../../server/concur/hosts.ts';
import { ConcurClient } from '../../../server/concur/client.ts';
import { createHostAllowlist } from '../../../server/concur/hosts.ts';
import { createLogger } from '../../../server/logger.ts';
import { SANDBOX_IDS, SANDBOX_REPORT } from '../../../server/sandbox/concur-state.ts';
import type { ErrorBody } from '../../../src/contract/api.ts';

const { msw, concur } = useFakeConcur();
const TOKEN = `${CONCUR_TOKEN_HOST}/oauth2/v0/token`;
/** Where entries are written: the short path, with the company token (protocol sheet §5). */
const ENTRY_PATCH = `${CONCUR}/expensereports/v4/reports/:r/expenses/:e`;
/** Where entries are read: the path item_url names, with the user's token. */
const ENTRY_GET = `${CONCUR}/expensereports/v4/users/:u/context/:c/reports/:r/expenses/:e`;

const client = (logger = createLogger('silent')) =>
  new ConcurClient({
    oauth: {
      clientId: CLIENT.id,
      clientSecret: CLIENT.secret,
      redirectUri: CLIENT.redirect,
      tokenBase: CONCUR_TOKEN_HOST,
    },
    allowlist: createHostAllowlist([]),
    logger,
    backoffMs: 1,
    timeoutMs: 300,
  });

describe('token requests carry single-use codes: retried only after 429 or 503', () => {
  const answers: [string, () => Response][] = [
    ['500', () => HttpResponse.json({}, { status: 500 })],
    ['502', () => HttpResponse.json({}, { status: 502 })],
    ['504', () => HttpResponse.json({}, { status: 504 })],
    ['408', () => HttpResponse.json({}, { status: 408 })],
    ['a lost connection', () => HttpResponse.error()],
  ];
  for (const [name, answer] of answers) {
    test(`${name}: one attempt, then a readable error`, async () => {
      let calls = 0;
      msw.use(
        http.post(TOKEN, () => {
          calls += 1;
          return answer();
        }),
      );
      await assert.rejects(
        client().exchangeAuthCode('code-1'),
        (e: Error) => e.name !== 'ConcurSignInFailed' && e.message.includes('Concur'),
      );
      assert.equal(calls, 1);
    });
  }
  for (const status of [429, 503]) {
    test(`${status}: retried`, async () => {
      let calls = 0;
      msw.use(http.post(TOKEN, () => (++calls === 1 ? HttpResponse.json({}, { status }) : undefined)));
      const code = concur().issueAuthCode('u1');
      await client().exchangeAuthCode(code);
      assert.equal(calls, 2);
    });
  }

  test('a refresh whose answer was lost is not resent with the already-used refresh token', async () => {
    const c = client();
    const { token } = await c.exchangeAuthCode(concur().issueAuthCode('u1'));
    let calls = 0;
    // Concur rotates the refresh token, but the gateway loses the answer. (A refresh goes to the token's geolocation.)
    msw.use(
      http.post(
        `${CONCUR}/oauth2/v0/token`,
        async ({ request }) => {
          calls += 1;
          concur().redeemRefreshToken(new URLSearchParams(await request.text()).get('refresh_token')!);
          return HttpResponse.json({}, { status: 502 });
        },
        { once: true },
      ),
    );
    await assert.rejects(c.refresh(token, 'user'), /HTTP 502/);
    assert.equal(calls, 1);
  });
});

test('a refresh answer without refresh_token or geolocation keeps the ones we had', async () => {
  const c = client();
  msw.use(http.post(TOKEN, () => HttpResponse.json({ access_token: 'new-at', expires_in: 3600 }), { once: true }));
  const { token } = await c
    .refresh(
      { accessToken: 'old', refreshToken: 'rt-1', expiresAt: 0, geolocation: 'https://emea.api.concursolutions.com' },
      'user',
    )
    .catch(() => ({ token: null }));
  // The refresh goes to the token's geolocation (EMEA), which is not the one overridden above.
  assert.equal(token, null);
  msw.use(
    http.post(
      'https://emea.api.concursolutions.com/oauth2/v0/token',
      () => HttpResponse.json({ access_token: 'new-at', expires_in: 3600 }),
      { once: true },
    ),
  );
  const r = await c.refresh(
    { accessToken: 'old', refreshToken: 'rt-1', expiresAt: 0, geolocation: 'https://emea.api.concursolutions.com' },
    'user',
  );
  assert.equal(r.token.accessToken, 'new-at');
  assert.equal(r.token.refreshToken, 'rt-1');
  assert.equal(r.token.geolocation, 'https://emea.api.concursolutions.com');
});

describe('API calls', () => {
  test('a lost connection is retried', async () => {
    let calls = 0;
    msw.use(http.patch(ENTRY_PATCH, () => (++calls === 1 ? HttpResponse.error() : undefined)));
    const { app } = await makeApp();
    const token = await launchSession(app, concur());
    const res = await postCommit(app, token, { code: 'PRJ-1042' });
    assert.equal(res.status, 200);
    assert.equal(calls, 2);
  });

  test('a Retry-After longer than a popup can wait fails at once and says how long', async () => {
    let calls = 0;
    msw.use(
      http.patch(ENTRY_PATCH, () => {
        calls += 1;
        return HttpResponse.json({}, { status: 429, headers: { 'retry-after': '30' } });
      }),
    );
    const { app } = await makeApp();
    const token = await launchSession(app, concur());
    const res = await postCommit(app, token, { code: 'PRJ-1042' });
    assert.equal(res.status, 502);
    assert.match(((await res.json()) as ErrorBody).error.message, /asked us to wait 30 seconds/);
    assert.equal(calls, 1);
  });

  test('an entry whose report status Concur does not give is written by the submitted-report path, which serves both', async () => {
    const writes: string[] = [];
    msw.events.on('request:start', ({ request }) => {
      if (request.method === 'PATCH') writes.push(request.url);
    });
    concur().reports.get(SANDBOX_REPORT.id)!.approvalStatusId = '';
    const { app } = await makeApp();
    const token = await launchSession(app, concur());
    const res = await postCommit(app, token, { code: 'PRJ-1042' });
    msw.events.removeAllListeners();
    assert.equal(res.status, 200);
    assert.deepEqual(writes, [`${CONCUR}/expensereports/v4/reports/${SANDBOX_REPORT.id}/expenses/${SANDBOX_IDS.taxi}`]);
  });

  test('an entry without amount or date still opens, showing what there is', async () => {
    msw.use(http.get(ENTRY_GET, () => HttpResponse.json({ expenseType: { name: 'Taxi' }, customData: [] })));
    const { app } = await makeApp();
    const token = await launchSession(app, concur());
    const res = await app.request('/api/context', { headers: bearer(token) });
    assert.equal(res.status, 200);
    assert.deepEqual(((await res.json()) as { item: unknown }).item, {
      kind: 'ENTRY',
      expenseType: 'Taxi',
      amount: null,
      date: null,
    });
  });
});

describe("Concur's newer OAuth error codes", () => {
  const refusal = async (code: number, audience: 'user' | 'company') => {
    msw.use(http.post(TOKEN, () => HttpResponse.json({ code, error: 'invalid_request' }, { status: 400 })));
    const c = client();
    const call = audience === 'user' ? c.exchangeAuthCode('code-1') : c.companyToken('company-1', 'request-token');
    return call.then(
      () => assert.fail('refused'),
      (e: unknown) => e as { code: string; message: string },
    );
  };
  const cases: [number, 'user' | 'company', string, RegExp][] = [
    [21, 'user', 'oauth_sso_only', /single sign-on only/],
    [124, 'user', 'oauth_product_invalid', /for this product/],
    [134, 'company', 'oauth_company_maintenance', /scheduled maintenance/],
    [135, 'user', 'oauth_request_format', /unsupported request format/],
    [136, 'company', 'oauth_token_not_yours', /issued for another application/],
    [139, 'user', 'oauth_password_change', /change your password/],
  ];
  for (const [code, audience, expected, message] of cases) {
    test(`${code} (${audience}) is ${expected}, with a message that says what to do`, async () => {
      const error = await refusal(code, audience);
      assert.equal(error.code, expected);
      assert.match(error.message, message);
    });
  }
});

test("Concur's x-api-warn and Sunset headers are logged once per call, not on every call", async () => {
  const lines: string[] = [];
  const c = client(createLogger('info', { write: (line: string) => void lines.push(line) }));
  msw.use(
    http.get(`${CONCUR}/deprecated`, () =>
      HttpResponse.json(
        {},
        { headers: { 'x-api-warn': 'This API is deprecated', sunset: 'Wed, 30 Jun 2027 00:00:00 GMT' } },
      ),
    ),
  );
  const token = { accessToken: 'a', expiresAt: Date.now() + 3_600_000 };
  for (let i = 0; i < 3; i++) await c.getJson('old.call', new URL(`${CONCUR}/deprecated`), token);
  const warned = lines.filter((l) => l.includes('deprecated or will change'));
  assert.equal(warned.length, 1);
  assert.match(warned[0]!, /"apiWarn":"This API is deprecated"/);
  assert.match(warned[0]!, /"sunset":"Wed, 30 Jun 2027 00:00:00 GMT"/);
});
