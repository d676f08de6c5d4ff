// The App Center Connect landing page (protocol sheet §13) and the administrator's Disconnect: the request token is
// exchanged only after the administrator confirms, once, from the page this browser was shown.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { makeApp, useFakeConcur } from '../helpers.ts';
import { SANDBOX_COMPANY } from '../../../server/sandbox/concur-state.ts';
import { COMPANY_CONNECTION } from '../../../server/concur/company-connection.ts';

const { concur } = useFakeConcur();

const LINKS = {
  CONNECT_PRIVACY_URL: 'https://connector.example.com/privacy',
  CONNECT_SUPPORT_URL: 'https://connector.example.com/support',
  APP_NAME: 'Acme Picker',
};
const ADMIN_TOKEN = 'admin-token-0123456789abcdef';

type App = Awaited<ReturnType<typeof makeApp>>['app'];

const connectLink = (requestToken = concur().issueCompanyRequestToken(), id: string = SANDBOX_COMPANY.id) =>
  `/concur/connect?${new URLSearchParams({ id, requestToken, userId: SANDBOX_COMPANY.adminId }).toString()}`;

/** Follows Concur's link as a browser does: the cookie it sets, and the code in the confirmation form. */
async function open(app: App, link = connectLink()) {
  const res = await app.request(link);
  assert.equal(res.status, 303, await res.clone().text());
  assert.equal(res.headers.get('location'), '/concur/connect/confirm');
  const cookie = res.headers.get('set-cookie')!.split(';')[0]!;
  const page = await app.request('/concur/connect/confirm', { headers: { cookie } });
  const html = await page.text();
  return { cookie, page, html, code: /name="code" value="([^"]+)"/.exec(html)?.[1] };
}

const confirm = (app: App, cookie: string | undefined, code: string | undefined) =>
  app.request('/concur/connect/confirm', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(cookie ? { cookie } : {}) },
    body: new URLSearchParams(code ? { code } : {}).toString(),
  });

describe('the Connect landing page', () => {
  test('shows an SAP Concur integration page with privacy and support links, and exchanges nothing yet', async () => {
    const { app } = await makeApp({ env: LINKS, connected: false });
    const token = concur().issueCompanyRequestToken();
    const { page, html, code } = await open(app, connectLink(token));
    assert.equal(page.status, 200);
    assert.equal(page.headers.get('cache-control'), 'no-store');
    assert.match(html, /Acme Picker · an integration for SAP Concur/);
    assert.match(html, /href="https:\/\/connector.example.com\/privacy"[^>]*>Privacy policy/);
    assert.match(html, /href="https:\/\/connector.example.com\/support"[^>]*>Support/);
    assert.match(html, new RegExp(SANDBOX_COMPANY.id));
    assert.match(html, /<button type="submit">Connect<\/button>/);
    assert.ok(code);
    assert.ok(!html.includes(token), 'the request token is not on the page');
    assert.equal(concur().grants.password, 0, 'no exchange before the administrator confirms');
  });

  test('Connect exchanges the request token and keeps the connection, then shows success and next steps', async () => {
    const { app, deps } = await makeApp({ env: LINKS, connected: false });
    const { cookie, code } = await open(app);
    const res = await confirm(app, cookie, code);
    const html = await res.text();
    assert.equal(res.status, 200, html);
    assert.match(html, /Acme Picker is now connected to your company in SAP Concur/);
    assert.match(html, /Next steps/);
    assert.match(html, /You can close this window/);
    assert.equal(concur().grants.password, 1);
    const record = await deps.store.getConnection(COMPANY_CONNECTION);
    assert.equal(record?.companyId, SANDBOX_COMPANY.id);
    assert.equal(record?.connectedBy, SANDBOX_COMPANY.adminId);
  });

  test('refused without confirmation from this page: no code, a wrong code, or no cookie', async () => {
    const { app, deps } = await makeApp({ env: LINKS, connected: false });
    const { cookie, code } = await open(app);
    for (const [c, k] of [
      [cookie, undefined],
      [cookie, 'x'.repeat(43)],
      [undefined, code],
    ] as const) {
      const res = await confirm(app, c, k);
      assert.equal(res.status, 403);
      assert.match(await res.text(), /did not come from the page this browser was shown/);
    }
    assert.equal(concur().grants.password, 0);
    assert.equal(await deps.company.status(), undefined);
  });

  test('a confirmation used once cannot be used again', async () => {
    const { app } = await makeApp({ env: LINKS, connected: false });
    const { cookie, code } = await open(app);
    assert.equal((await confirm(app, cookie, code)).status, 200);
    const again = await confirm(app, cookie, code);
    assert.equal(again.status, 410);
    assert.match(await again.text(), /already used, or more than 30 minutes have passed/);
    assert.equal(concur().grants.password, 1);
  });

  test('an expired request token is refused with a page that says to start again', async () => {
    const { app, deps } = await makeApp({ env: LINKS, connected: false });
    const { cookie, code } = await open(app, connectLink('at-expired-or-unknown-token'));
    const res = await confirm(app, cookie, code);
    assert.equal(res.status, 502);
    assert.match(await res.text(), /The connection was not made[\s\S]*App Center/);
    assert.equal(await deps.company.status(), undefined);
  });

  test('a link without the parameters, or with damaged ones, gets a page saying what to do', async () => {
    const { app } = await makeApp({ env: LINKS, connected: false });
    const bare = await app.request('/concur/connect');
    assert.equal(bare.status, 400);
    assert.match(await bare.text(), /Concur&#39;s App Center opens it when an administrator clicks Connect/);
    const damaged = await app.request(connectLink('tok', 'not-a-uuid'));
    assert.equal(damaged.status, 400);
    assert.match(await damaged.text(), /incomplete or damaged/);
  });

  test('without a privacy policy and support page configured, the page says the connector is not set up', async () => {
    const { app } = await makeApp({ connected: false });
    const { page, html } = await open(app);
    assert.equal(page.status, 503);
    assert.match(html, /CONNECT_PRIVACY_URL and CONNECT_SUPPORT_URL/);
  });

  test('a connector connected to one company is not taken over by another', async () => {
    const { app, deps } = await makeApp({ env: LINKS });
    const other = '0ddba11c-1234-4abc-9def-0123456789ab';
    const { page } = await open(app, connectLink(concur().issueCompanyRequestToken(other), other));
    assert.equal(page.status, 409);
    assert.equal((await deps.company.status())?.companyId, SANDBOX_COMPANY.id);
  });
});

describe("the administrator's connection status and Disconnect", () => {
  test('status and Disconnect need ADMIN_TOKEN; Disconnect revokes at Concur and forgets the tokens', async () => {
    const { app, deps } = await makeApp({ env: { ...LINKS, ADMIN_TOKEN } });
    assert.equal((await app.request('/ops/company')).status, 401);
    assert.equal((await app.request('/ops/company', { headers: { authorization: 'Bearer wrong' } })).status, 401);
    const status = await app.request('/ops/company', { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    const body = (await status.json()) as { connection: { companyId: string; connected: boolean } };
    assert.equal(body.connection.companyId, SANDBOX_COMPANY.id);
    assert.equal(body.connection.connected, true);
    assert.equal(JSON.stringify(body).includes('sbx-rt-'), false, 'no refresh token in the answer');
    const stored = (await deps.store.getConnection(COMPANY_CONNECTION))!.refreshToken;

    const off = await app.request('/ops/company/disconnect', {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    assert.equal(off.status, 200);
    assert.deepEqual(await off.json(), { disconnected: true, revokedAtConcur: true, companyId: SANDBOX_COMPANY.id });
    assert.equal(await deps.company.status(), undefined);
    assert.equal(concur().redeemRefreshToken(stored), undefined, 'revoked at Concur');
  });

  test('without ADMIN_TOKEN the endpoints do not exist', async () => {
    const { app } = await makeApp();
    assert.equal((await app.request('/ops/company')).status, 404);
    assert.equal((await app.request('/ops/company/disconnect', { method: 'POST' })).status, 404);
  });
});
