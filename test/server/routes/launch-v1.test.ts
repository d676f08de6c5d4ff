// Legacy v1 launches: the protocol sheet's HMAC-SHA1 vector, and the whole path to an Expense Entries v3 write
// with the company token.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONCUR, bearer, fieldsFile, makeApp, useFakeConcur, postCommit } from '../helpers.ts';
import { isValidSignatureV1, signLaunchV1 } from '../../../server/launch/signature.ts';
import {
  SANDBOX_COMPANY,
  SANDBOX_IDS,
  SANDBOX_USER,
  type SandboxConcur,
} from '../../../server/sandbox/concur-state.ts';
import type { ErrorBody, SessionContext } from '../../../src/contract/api.ts';

const { msw, concur } = useFakeConcur();
const creds = { username: 'LeuConnectorUser', password: 'S3cret-Passw0rd!' };
const KEY = 'a'.repeat(64);

describe('v1 signature vector from the protocol sheet', () => {
  const vector = {
    xcompanydomain: 'acmecorp.com',
    xuserid: 'jane.doe@acmecorp.com',
    itemurl:
      'https://www.concursolutions.com/api/expense/expensereport/v1.1/report/nxxKgLlnROz3zHJBCRksaas23dsfs' +
      '/entry/n7We3qWw99u1KoWTMaLhSC$pXBYzQ1UDhn',
    nonce: '4c2a9e1f-7b3d-4a5e-9f8c-2d1e0b3a4c5d',
  };
  test('produces the documented signature', () => {
    assert.equal(signLaunchV1(vector, creds), '27NDxH+P9E2SS+8+H3enWz0PNDE=');
  });
  test('the documented query string verifies, with %2B or a raw +', () => {
    const q = new URLSearchParams(
      'xcompanydomain=acmecorp.com&xuserid=jane.doe%40acmecorp.com' +
        '&itemurl=https%3A%2F%2Fwww.concursolutions.com%2Fapi%2Fexpense%2Fexpensereport%2Fv1.1%2Freport' +
        '%2FnxxKgLlnROz3zHJBCRksaas23dsfs%2Fentry%2Fn7We3qWw99u1KoWTMaLhSC%24pXBYzQ1UDhn' +
        '&nonce=4c2a9e1f-7b3d-4a5e-9f8c-2d1e0b3a4c5d&signature=27NDxH%2BP9E2SS%2B8%2BH3enWz0PNDE%3D',
    );
    const p = Object.fromEntries(q) as typeof vector & { signature: string };
    assert.equal(isValidSignatureV1(p, p.signature, creds), true);
    assert.equal(isValidSignatureV1(p, p.signature.replace(/\+/g, ' '), creds), true);
  });
  for (const name of Object.keys(vector) as (keyof typeof vector)[]) {
    test(`a tampered ${name} is refused`, () => {
      assert.equal(
        isValidSignatureV1({ ...vector, [name]: `${vector[name]}x` }, '27NDxH+P9E2SS+8+H3enWz0PNDE=', creds),
        false,
      );
    });
  }
  test('a wrong password is refused', () => {
    assert.equal(
      isValidSignatureV1(vector, '27NDxH+P9E2SS+8+H3enWz0PNDE=', { ...creds, password: 'S3cret-Passw0rd?' }),
      false,
    );
  });
});

function v1Query(c: SandboxConcur, overrides: Record<string, string> = {}) {
  const signed = {
    xcompanydomain: 'acmecorp.com',
    xuserid: SANDBOX_USER.loginId,
    itemurl: c.v1ItemUrl(SANDBOX_IDS.taxi),
    nonce: crypto.randomUUID(),
  };
  return new URLSearchParams({ ...signed, signature: signLaunchV1(signed, creds), ...overrides });
}

async function appWithCompanyToken(env: Record<string, string> = {}) {
  const file = join(mkdtempSync(join(tmpdir(), 'v1-')), 'company.json');
  const made = await makeApp({
    env: { COMPANY_TOKEN_FILE: file, TOKEN_ENCRYPTION_KEY: KEY, V1_CUSTOM_FIELD: 'Custom12', ...env },
  });
  await made.deps.companyTokens!.bootstrap(SANDBOX_COMPANY.id, concur().issueCompanyRequestToken());
  return made;
}

describe('a v1 launch', () => {
  test('opens the popup and writes the configured field through Expense Entries v3 with the company token', async () => {
    const writes: { method: string; url: string; authorization: string | null; body: unknown }[] = [];
    msw.events.on('request:start', async ({ request }) => {
      if (request.method === 'PUT' || request.method === 'PATCH')
        writes.push({
          method: request.method,
          url: request.url,
          authorization: request.headers.get('authorization'),
          body: await request.clone().json(),
        });
    });
    const { app } = await appWithCompanyToken();
    const res = await app.request(`/concur/form/v1.0/get?${v1Query(concur()).toString()}`);
    assert.equal(res.status, 303);
    assert.equal(res.headers.get('location'), '/app/');
    const cookie = res.headers.get('set-cookie')!.split(';')[0]!;
    const { token } = (await (await app.request('/api/session', { method: 'POST', headers: { cookie } })).json()) as {
      token: string;
    };
    const ctx = (await (await app.request('/api/context', { headers: bearer(token) })).json()) as SessionContext;
    assert.deepEqual(ctx.item, {
      kind: 'ENTRY',
      expenseType: 'Taxi',
      amount: { value: 42.5, currency: 'EUR' },
      date: '2026-11-12',
    });
    assert.equal(ctx.field.id, 'Custom12');
    const commit = await postCommit(app, token, { code: 'PRJ-1042' });
    msw.events.removeAllListeners();
    assert.equal(commit.status, 200);
    assert.equal(writes.length, 1);
    assert.equal(writes[0]!.method, 'PUT');
    assert.equal(writes[0]!.url, `${CONCUR}/api/v3.0/expense/entries/${SANDBOX_IDS.taxi}`);
    assert.deepEqual(writes[0]!.body, { Custom12: { Value: 'PRJ-1042' } });
    assert.ok(concur().principalFor(writes[0]!.authorization)?.kind === 'company', 'written with the company token');
    assert.equal(concur().fieldValue(SANDBOX_IDS.taxi, 'custom12'), 'PRJ-1042');
  });

  test('a wizard on a v1 field writes all its fields in one v3 PUT, with v3 field names', async () => {
    const fields = fieldsFile({
      sources: { projects: { type: 'catalog' } },
      flows: {
        Custom12: {
          title: 'Project',
          steps: [
            { id: 'p', kind: 'search', source: 'projects', writeTo: 'custom12', label: 'Project' },
            {
              id: 'b',
              kind: 'choice',
              writeTo: 'Custom14',
              label: 'Billable',
              options: [
                { value: 'Y', label: 'Yes' },
                { value: 'N', label: 'No' },
              ],
            },
          ],
        },
      },
    });
    const bodies: unknown[] = [];
    msw.events.on('request:start', async ({ request }) => {
      if (request.method === 'PUT') bodies.push(await request.clone().json());
    });
    const { app } = await appWithCompanyToken({ FIELDS_FILE: fields });
    const res = await app.request(`/concur/form/v1.0/get?${v1Query(concur()).toString()}`);
    // The popup is told at once that a wizard comes, so it shows no search box first.
    assert.equal(res.headers.get('location'), '/app/?wizard');
    const cookie = res.headers.get('set-cookie')!.split(';')[0]!;
    const { token } = (await (await app.request('/api/session', { method: 'POST', headers: { cookie } })).json()) as {
      token: string;
    };
    const ctx = (await (await app.request('/api/context', { headers: bearer(token) })).json()) as SessionContext;
    assert.deepEqual(
      ctx.flow!.steps.map((s) => s.id),
      ['p', 'b'],
    );
    const commit = await postCommit(app, token, { answers: { p: 'PRJ-1042', b: 'N' } });
    msw.events.removeAllListeners();
    assert.equal(commit.status, 200, await commit.clone().text());
    assert.deepEqual(bodies, [{ Custom12: { Value: 'PRJ-1042' }, Custom14: { Value: 'N' } }]);
    assert.equal(concur().fieldValue(SANDBOX_IDS.taxi, 'custom14'), 'N');
  });

  test('a reused nonce is refused with 401', async () => {
    const { app } = await appWithCompanyToken();
    const q = v1Query(concur());
    assert.equal((await app.request(`/concur/form/v1.0/get?${q.toString()}`)).status, 303);
    assert.equal((await app.request(`/concur/form/v1.0/get?${q.toString()}`)).status, 401);
  });

  test('a tampered itemurl is refused with 401', async () => {
    const { app } = await appWithCompanyToken();
    const q = v1Query(concur());
    q.set('itemurl', q.get('itemurl')!.replace(/.$/, 'X'));
    assert.equal((await app.request(`/concur/form/v1.0/get?${q.toString()}`)).status, 401);
  });

  test('a missing parameter is refused with 400 naming it', async () => {
    const { app } = await appWithCompanyToken();
    const q = v1Query(concur());
    q.delete('xuserid');
    const res = await app.request(`/concur/form/v1.0/get?${q.toString()}`);
    assert.equal(res.status, 400);
    assert.match(await res.text(), /xuserid is missing/);
  });

  test('an itemurl that is not an entry is refused with 400', async () => {
    const { app } = await appWithCompanyToken();
    const itemurl = `${CONCUR}/api/expense/expensereport/v1.1/report/ABC`;
    const signed = { xcompanydomain: 'acmecorp.com', xuserid: 'x@y', itemurl, nonce: crypto.randomUUID() };
    const res = await app.request(
      `/concur/form/v1.0/get?${new URLSearchParams({ ...signed, signature: signLaunchV1(signed, creds) }).toString()}`,
    );
    assert.equal(res.status, 400);
    assert.match(await res.text(), /entry level only/);
  });

  test('without a company token the launch explains what the administrator must set up', async () => {
    const { app } = await makeApp();
    const res = await app.request(`/concur/form/v1.0/get?${v1Query(concur()).toString()}`, {
      headers: { accept: 'application/json' },
    });
    assert.equal(res.status, 503);
    const { error } = (await res.json()) as ErrorBody;
    assert.equal(error.code, 'company_token_missing');
    assert.match(error.message, /COMPANY_TOKEN_FILE, TOKEN_ENCRYPTION_KEY and V1_CUSTOM_FIELD/);
  });
});
