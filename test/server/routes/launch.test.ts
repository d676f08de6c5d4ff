// GET /launchexternalurl/v4/form through the whole app: statuses, pages, the token exchange, the hand-off.
import { createHash } from 'node:crypto';
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { http, HttpResponse } from 'msw';
import { CLIENT, CONCUR, SECRETS, claimAfter, fieldsFile, launchQuery, makeApp, useFakeConcur } from '../helpers.ts';
import { CONCUR_TOKEN_HOST } from '../../../server/concur/hosts.ts';
import { SANDBOX_USER } from '../../../server/sandbox/concur-state.ts';
import { countEvilHostCalls, countTokenCalls, signedParams, tamperedValue } from '../launch/tampering.ts';

const { msw, concur } = useFakeConcur();
const form = (q: URLSearchParams) => `/launchexternalurl/v4/form?${q.toString()}`;
const JSON_ACCEPT = { accept: 'application/json' };
const messageOf = async (res: Response) =>
  ((await res.json()) as { error: { message: string; correlationId?: string } }).error;

describe('a valid launch', () => {
  test('answers with the popup page itself, a one-time hand-off cookie, and no secret in the page', async () => {
    const { app } = await makeApp();
    const q = launchQuery(concur());
    const res = await app.request(form(q));
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('location'), null);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    const page = await res.text();
    assert.match(page, /<script type="module" crossorigin src="\/app\/assets\/app-[\w-]+\.js"><\/script>/);
    for (const [name, value] of q) assert.ok(!page.includes(value), `the page does not carry ${name}`);
    const cookie = res.headers.get('set-cookie')!;
    assert.match(
      cookie,
      /^__Host-leu_handoff=[\w-]{20,};/,
      'the public URL is https, so the cookie takes the __Host- prefix',
    );
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /SameSite=Strict/);
    assert.match(cookie, /Path=\/;/);
    assert.match(cookie, /Secure/, 'the public URL is https, so the cookie is Secure');
    assert.ok(!cookie.includes(q.get('client_auth_code')!));
    assert.equal(res.headers.get('referrer-policy'), 'no-referrer');
  });

  test('for a field with a wizard, the page says so (and nothing else)', async () => {
    const fields = fieldsFile({
      sources: { projects: { type: 'catalog' } },
      fields: { custom12: 'projects' },
      flows: {
        custom20: {
          title: 'Project',
          steps: [{ id: 'p', kind: 'search', source: 'projects', writeTo: 'custom12', label: 'Project' }],
        },
      },
    });
    const { app } = await makeApp({ env: { FIELDS_FILE: fields } });
    const wizard = await app.request(
      form(launchQuery(concur(), { unsigned: { custom_field_launched_from: 'custom20' } })),
    );
    assert.equal(wizard.status, 200);
    assert.match(await wizard.text(), /<html lang="en" data-wizard>/);
    const search = await app.request(form(launchQuery(concur())));
    assert.equal(search.status, 200);
    assert.match(await search.text(), /<html lang="en">/);
  });

  test('exchanges the authorization code exactly as Concur expects', async () => {
    const seen: { url: string; method: string; contentType: string | null; body: URLSearchParams }[] = [];
    msw.events.on('request:start', async ({ request }) => {
      if (request.url.endsWith('/oauth2/v0/token')) {
        seen.push({
          url: request.url,
          method: request.method,
          contentType: request.headers.get('content-type'),
          body: new URLSearchParams(await request.clone().text()),
        });
      }
    });
    const { app } = await makeApp();
    const q = launchQuery(concur());
    assert.equal((await claimAfter(app, q)).status, 200);
    msw.events.removeAllListeners();
    assert.equal(seen.length, 1);
    const [call] = seen;
    assert.equal(call!.url, `${CONCUR_TOKEN_HOST}/oauth2/v0/token`);
    assert.equal(call!.method, 'POST');
    assert.equal(call!.contentType, 'application/x-www-form-urlencoded');
    assert.deepEqual(Object.fromEntries(call!.body), {
      client_id: CLIENT.id,
      client_secret: CLIENT.secret,
      grant_type: 'authorization_code',
      code: q.get('client_auth_code'),
      redirect_uri: CLIENT.redirect,
    });
  });

  test('the hand-off is traded once for a session; the token never reaches the browser', async () => {
    const { app } = await makeApp();
    const res = await app.request(form(launchQuery(concur())));
    const cookie = res.headers.get('set-cookie')!.split(';')[0]!;
    const first = await app.request('/api/session', { method: 'POST', headers: { cookie } });
    assert.equal(first.status, 200);
    const body = await first.text();
    assert.match(body, /^\{"token":"[\w-]{40,}"\}$/);
    assert.ok(!body.includes('sbx-at-'), 'the Concur access token stays on the server');
    const second = await app.request('/api/session', { method: 'POST', headers: { cookie } });
    assert.equal(second.status, 401);
    assert.equal(((await second.json()) as { error: { code: string } }).error.code, 'session_missing');
  });
});

describe('refused launches', () => {
  test('a reused nonce is refused with 401 and a page that says so', async () => {
    const { app } = await makeApp();
    const q = launchQuery(concur());
    assert.equal((await app.request(form(q))).status, 200);
    const again = await app.request(form(q));
    assert.equal(again.status, 401);
    assert.match(again.headers.get('content-type')!, /text\/html/);
    assert.match(await again.text(), /already been used/);
  });

  test('a reused nonce with a fresh authorization code is still refused', async () => {
    const { app } = await makeApp();
    const nonce = crypto.randomUUID();
    assert.equal((await app.request(form(launchQuery(concur(), { signed: { nonce } })))).status, 200);
    assert.equal((await app.request(form(launchQuery(concur(), { signed: { nonce } })))).status, 401);
  });

  for (const name of signedParams('report')) {
    test(`tampering with ${name} gives 401, and no token is requested`, async () => {
      const tokenCalls = countTokenCalls(msw);
      const { app } = await makeApp();
      // Tampered within each value's format: the signature is what refuses it.
      const value = tamperedValue(
        name,
        `${CONCUR}/expensereports/v4/users/${SANDBOX_USER.id}/context/TRAVELER` +
          '/reports/764428DD6A664AF0BFCB/expenses/OTHER0000000000000000000000000000',
      );
      const res = await app.request(form(launchQuery(concur(), { tamper: { [name]: value } })), {
        headers: JSON_ACCEPT,
      });
      tokenCalls.stop();
      assert.equal(res.status, 401);
      assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'launch_signature_invalid');
      assert.equal(tokenCalls.count(), 0);
    });
  }

  test('a wrong connector password gives 401 with a readable page that echoes no secret', async () => {
    const { app } = await makeApp();
    const q = launchQuery(concur(), { credentials: { username: 'LeuConnectorUser', password: 'not-the-password' } });
    const res = await app.request(form(q));
    assert.equal(res.status, 401);
    const page = await res.text();
    assert.match(page, /could not be verified/);
    for (const secret of [q.get('signature')!, q.get('client_auth_code')!, ...SECRETS])
      assert.ok(!page.includes(secret));
  });

  test('a missing parameter gives 400 naming it, as HTML or as JSON', async () => {
    const { app } = await makeApp();
    const html = await app.request(form(launchQuery(concur(), { omit: ['client_auth_code'] })));
    assert.equal(html.status, 400);
    assert.match(await html.text(), /client_auth_code is missing/);
    const json = await app.request(form(launchQuery(concur(), { omit: ['nonce'] })), { headers: JSON_ACCEPT });
    assert.equal(json.status, 400);
    assert.deepEqual(await json.json(), {
      error: {
        code: 'launch_params_invalid',
        message: "Concur's link is missing something we need: nonce is missing.",
      },
    });
  });

  test('a parameter given twice is refused as malformed', async () => {
    const { app } = await makeApp();
    const q = launchQuery(concur());
    q.append('item_url', 'https://evil.example.com/x');
    assert.equal((await app.request(form(q))).status, 400);
  });

  test('an item_url on a host that is not allowed gets 400 and never sees a token', async () => {
    const evilCalls = countEvilHostCalls(msw);
    const { app } = await makeApp();
    const item =
      `https://evil.example.com/expensereports/v4/users/${SANDBOX_USER.id}` +
      '/context/TRAVELER/reports/R1/expenses/E1';
    const res = await app.request(form(launchQuery(concur(), { signed: { item_url: item } })), {
      headers: JSON_ACCEPT,
    });
    assert.equal(res.status, 400);
    assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'item_url_not_allowed');
    assert.equal(evilCalls(), 0);
  });

  test('plain http to a Concur host is not allowed', async () => {
    const { app } = await makeApp();
    const item =
      `http://us.api.concursolutions.com/expensereports/v4/users/${SANDBOX_USER.id}` +
      '/context/TRAVELER/reports/R1/expenses/E1';
    assert.equal((await app.request(form(launchQuery(concur(), { signed: { item_url: item } })))).status, 400);
  });

  test('an expired or used authorization code: the claim tells the user to click again', async () => {
    const { app } = await makeApp();
    const q = launchQuery(concur());
    // The same code, redeemed once already by someone else.
    assert.ok(concur().redeemCode(q.get('client_auth_code')!));
    const res = await claimAfter(app, q);
    assert.equal(res.status, 401);
    assert.match(
      (await messageOf(res)).message,
      /expired or was already used. Close this window and click the button in Concur again/,
    );
  });

  test('a redirect URI that Concur does not recognise tells the administrator what to set', async () => {
    const { app } = await makeApp({ env: { CONCUR_REDIRECT_URI: 'https://connector.example.com/wrong' } });
    const res = await claimAfter(app, launchQuery(concur()));
    assert.equal(res.status, 401);
    assert.match((await messageOf(res)).message, /CONCUR_REDIRECT_URI/);
  });

  test('Concur being down during the exchange gives 502 with the correlation id, after retrying', async () => {
    let calls = 0;
    msw.use(
      http.post(`${CONCUR_TOKEN_HOST}/oauth2/v0/token`, () => {
        calls += 1;
        return HttpResponse.json(
          { message: 'maintenance' },
          { status: 503, headers: { 'concur-correlationid': `cid-${calls}` } },
        );
      }),
    );
    const { app } = await makeApp();
    const res = await claimAfter(app, launchQuery(concur()));
    assert.equal(res.status, 502);
    assert.equal(calls, 3);
    assert.equal((await messageOf(res)).correlationId, 'cid-3');
  });

  test('an unknown source is refused with 400 saying which are known', async () => {
    const { app } = await makeApp();
    const res = await app.request(form(launchQuery(concur(), { unsigned: { source: 'TRIP' } })));
    assert.equal(res.status, 400);
    assert.match(await res.text(), /source must be HEADER, ENTRY or ALLOCATION/);
  });
});

test('security headers: CSP, no-referrer, nosniff, and never a same-origin opener policy', async () => {
  const { app } = await makeApp();
  for (const path of ['/', '/api/context', form(launchQuery(concur())), '/nowhere']) {
    const res = await app.request(path);
    assert.match(res.headers.get('content-security-policy') ?? '', /default-src 'self'.*script-src 'self'/, path);
    assert.equal(res.headers.get('referrer-policy'), 'no-referrer', path);
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff', path);
    assert.equal(res.headers.get('cross-origin-opener-policy'), null, path);
  }
});

test(
  "an error page's style block is allowed by the CSP's style hash, " + 'so the page is styled without a nonce',
  async () => {
    const { app } = await makeApp();
    const res = await app.request(form(launchQuery(concur(), { unsigned: { source: 'TRIP' } })));
    const style = /<style>([\s\S]*?)<\/style>/.exec(await res.text())?.[1];
    assert.ok(style, 'the page has a style block');
    const hash = createHash('sha256').update(style).digest('base64');
    const styleSrc = /style-src ([^;]*)/.exec(res.headers.get('content-security-policy') ?? '')?.[1] ?? '';
    assert.deepEqual(styleSrc.split(' ').slice(0, 2), ["'self'", `'sha256-${hash}'`]);
    // Beside it only the popup page's own inline style, by its hash: nothing inline is allowed wholesale.
    assert.equal(styleSrc.split(' ').length, 3);
    assert.doesNotMatch(styleSrc, /unsafe-inline/);
  },
);

test("the popup page's inline script and style are allowed by their hashes, and nothing else inline is", async () => {
  const { app } = await makeApp();
  const res = await app.request(form(launchQuery(concur())));
  const page = await res.text();
  const csp = res.headers.get('content-security-policy') ?? '';
  for (const [tag, directive] of [
    ['script', 'script-src'],
    ['style', 'style-src'],
  ] as const) {
    const inline = new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`).exec(page)?.[1];
    assert.ok(inline, `the page has an inline ${tag}`);
    const allowed = new RegExp(`${directive} ([^;]*)`).exec(csp)?.[1]?.split(' ') ?? [];
    assert.ok(allowed.includes(`'sha256-${createHash('sha256').update(inline).digest('base64')}'`), directive);
    assert.ok(!allowed.includes("'unsafe-inline'"), directive);
  }
});
