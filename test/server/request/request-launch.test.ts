// GET /request/launchexternalurl/v4/form through the whole app: a Concur Request launch verified, replay-protected
// and rate-limited as an Expense one, with its own owner names; every way it is refused.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { CONCUR, fieldsFile, launchQuery, makeApp, useFakeConcur } from '../helpers.ts';
import { SANDBOX_TRAVEL_REQUESTS, SANDBOX_USER } from '../../../server/sandbox/concur-state.ts';
import { SANDBOX_REQUEST_IDS } from '../../../server/sandbox/request-state.ts';
import { errorOf, REQUEST_FIELDS, requestForm, requestLaunchQuery, requestSession } from './request-launch.ts';
import { countEvilHostCalls, countTokenCalls, signedParams, tamperedValue } from '../launch/tampering.ts';

const { msw, concur } = useFakeConcur();
const JSON_ACCEPT = { accept: 'application/json' };
const env = (more: Record<string, string> = {}) => ({ FIELDS_FILE: fieldsFile(REQUEST_FIELDS), ...more });
const expenseForm = (q: URLSearchParams) => `/launchexternalurl/v4/form?${q.toString()}`;

describe('a Concur Request launch', () => {
  test('of a header, an expected expense and an allocation each gets a session for its item', async () => {
    const { app } = await makeApp({ env: env() });
    for (const item of ['header', 'entry', 'allocation'] as const) {
      const token = await requestSession(app, concur(), { item });
      assert.ok(token.length > 20, item);
    }
  });

  test('answers as an Expense launch does (the same page, cookie and headers)', async () => {
    const { app } = await makeApp({ env: env() });
    const request = await app.request(requestForm(requestLaunchQuery(concur())));
    const expense = await app.request(expenseForm(launchQuery(concur())));
    assert.equal(request.status, expense.status);
    assert.ok(request.status < 400);
    assert.match(request.headers.get('set-cookie')!, /leu_handoff=[\w-]{20,};.*HttpOnly/);
    assert.equal(request.headers.get('cache-control'), expense.headers.get('cache-control'));
  });

  test('the misspelled repquest_owner_employee_id of Concur’s example is read as the employee id', async () => {
    const { app } = await makeApp({ env: env() });
    const token = await requestSession(app, concur(), {
      signed: { request_owner_employee_id: 'EMP-00042' },
      tamper: { repquest_owner_employee_id: 'EMP-00042' },
      omit: ['request_owner_employee_id'],
    });
    const ctx = (await (
      await app.request('/api/context', { headers: { authorization: `Bearer ${token}` } })
    ).json()) as {
      report: { ownerEmployeeId: string };
    };
    assert.equal(ctx.report.ownerEmployeeId, 'EMP-00042', 'signed, so read only because it verified');
    // Read as the signed value: a different one fails the signature.
    const wrong = requestLaunchQuery(concur(), {
      tamper: { repquest_owner_employee_id: 'EMP-99999' },
      omit: ['request_owner_employee_id'],
    });
    assert.equal((await app.request(requestForm(wrong))).status, 401);
  });

  test('request_ids and expense_ids are both accepted, unsigned: changing them leaves the signature good', async () => {
    const { app } = await makeApp({ env: env() });
    const token = await requestSession(app, concur(), {
      item: 'allocation',
      unsigned: { request_ids: SANDBOX_REQUEST_IDS.hotel, expense_ids: 'anything,else' },
    });
    assert.ok(token);
  });
});

describe('refused Request launches', () => {
  test('a launch naming the owner both ways is refused, on either path', async () => {
    const { app } = await makeApp({ env: env() });
    const both = requestLaunchQuery(concur(), {
      unsigned: { report_owner_user_id: SANDBOX_USER.id, report_owner_employee_id: 'EMP-00042' },
    });
    for (const path of [requestForm(both), expenseForm(both)]) {
      const res = await app.request(path, { headers: JSON_ACCEPT });
      assert.equal(res.status, 400, path);
      const error = await errorOf(res);
      assert.equal(error.code, 'launch_params_invalid');
      assert.match(error.message, /names the owner both as Concur Expense does .* and as Concur Request does/);
    }
  });

  test("Request's names on Expense's path, or Expense's on Request's, are refused and the right path named", async () => {
    const { app } = await makeApp({ env: env() });
    const request = await app.request(expenseForm(requestLaunchQuery(concur())), { headers: JSON_ACCEPT });
    assert.equal(request.status, 400);
    assert.match(
      (await errorOf(request)).message,
      /comes from Concur Request .* \/request\/launchexternalurl\/v4\/form/,
    );
    const expense = await app.request(requestForm(launchQuery(concur())), { headers: JSON_ACCEPT });
    assert.equal(expense.status, 400);
    assert.match((await errorOf(expense)).message, /comes from Concur Expense .* to \/launchexternalurl\/v4\/form/);
  });

  test('the misspelled and the right employee id with different values are refused', async () => {
    const { app } = await makeApp({ env: env() });
    const q = requestLaunchQuery(concur(), { unsigned: { repquest_owner_employee_id: 'EMP-1' } });
    const res = await app.request(requestForm(q), { headers: JSON_ACCEPT });
    assert.equal(res.status, 400);
    assert.match((await errorOf(res)).message, /employee id twice/);
  });

  for (const name of signedParams('request')) {
    test(`tampering with ${name} gives 401, and no token is requested`, async () => {
      const tokenCalls = countTokenCalls(msw);
      const { app } = await makeApp({ env: env() });
      const lisbon = concur().requestForms.itemUrl(CONCUR, { request: SANDBOX_TRAVEL_REQUESTS.lisbon.id });
      const value = tamperedValue(name, lisbon);
      const res = await app.request(requestForm(requestLaunchQuery(concur(), { tamper: { [name]: value } })), {
        headers: JSON_ACCEPT,
      });
      tokenCalls.stop();
      assert.equal(res.status, 401);
      assert.equal((await errorOf(res)).code, 'launch_signature_invalid');
      assert.equal(tokenCalls.count(), 0);
    });
  }

  test('a request_owner_user_id that is not a UUID is refused as malformed, naming it', async () => {
    const { app } = await makeApp({ env: env() });
    const q = requestLaunchQuery(concur(), { signed: { request_owner_user_id: 'jane@example.com' } });
    const res = await app.request(requestForm(q), { headers: JSON_ACCEPT });
    assert.equal(res.status, 400);
    assert.match((await errorOf(res)).message, /request_owner_user_id is not a Concur user id/);
  });

  test('a reused nonce is refused (401 launch_replayed), with a fresh code too', async () => {
    const { app } = await makeApp({ env: env() });
    const nonce = crypto.randomUUID();
    assert.ok((await app.request(requestForm(requestLaunchQuery(concur(), { signed: { nonce } })))).status < 400);
    const again = await app.request(requestForm(requestLaunchQuery(concur(), { signed: { nonce } })), {
      headers: JSON_ACCEPT,
    });
    assert.equal(again.status, 401);
    assert.equal((await errorOf(again)).code, 'launch_replayed');
  });

  test('an Expense item_url on the Request path is refused; so is a Request item_url on the Expense path', async () => {
    const { app } = await makeApp({ env: env() });
    const expenseItem = `${CONCUR}/expensereports/v4/users/${SANDBOX_USER.id}/context/TRAVELER/reports/764428DD6A664AF0BFCB`;
    const res = await app.request(requestForm(requestLaunchQuery(concur(), { signed: { item_url: expenseItem } })), {
      headers: JSON_ACCEPT,
    });
    assert.equal(res.status, 400);
    assert.match((await errorOf(res)).message, /not a Request v4 travel request, expected expense or allocation/);
    const requestItem = concur().requestForms.itemUrl(CONCUR, { request: SANDBOX_TRAVEL_REQUESTS.frankfurt.id });
    const other = await app.request(expenseForm(launchQuery(concur(), { signed: { item_url: requestItem } })), {
      headers: JSON_ACCEPT,
    });
    assert.equal(other.status, 400);
    assert.match((await errorOf(other)).message, /not an Expense v4 report/);
  });

  test('an item_url whose source does not match is refused, naming what it points to', async () => {
    const { app } = await makeApp({ env: env() });
    const res = await app.request(requestForm(requestLaunchQuery(concur(), { unsigned: { source: 'ENTRY' } })), {
      headers: JSON_ACCEPT,
    });
    assert.equal(res.status, 400);
    assert.match((await errorOf(res)).message, /source=ENTRY, but its item_url points to a travel request/);
  });

  test('an item_url on a host that is not allowed gets 400 and never sees a token', async () => {
    const evilCalls = countEvilHostCalls(msw);
    const { app } = await makeApp({ env: env() });
    const item = `https://evil.example.com/travelrequest/v4/requests/${SANDBOX_TRAVEL_REQUESTS.frankfurt.id}`;
    const res = await app.request(requestForm(requestLaunchQuery(concur(), { signed: { item_url: item } })), {
      headers: JSON_ACCEPT,
    });
    assert.equal(res.status, 400);
    assert.equal((await errorOf(res)).code, 'item_url_not_allowed');
    assert.equal(evilCalls(), 0);
  });

  test('a field set up for Expense only is refused on a travel request, and a Request-only one on a report', async () => {
    const { app } = await makeApp({ env: env() });
    // Without a fields file (CATALOG_FIELDS), every field is an Expense field.
    const { app: expenseOnly } = await makeApp();
    const res = await expenseOnly.request(requestForm(requestLaunchQuery(concur())), { headers: JSON_ACCEPT });
    assert.equal(res.status, 400);
    const error = await errorOf(res);
    assert.equal(error.code, 'field_not_configured');
    assert.match(error.message, /set up in the connector for expense reports only, not for travel requests/);
    const onReport = await app.request(
      expenseForm(launchQuery(concur(), { unsigned: { custom_field_launched_from: 'custom7' } })),
      { headers: JSON_ACCEPT },
    );
    assert.equal(onReport.status, 400);
    assert.match((await errorOf(onReport)).message, /for travel requests only, not for expense reports/);
  });
});

test('refused Request launches count against the same per-address limit as Expense ones', async () => {
  const { app } = await makeApp({ env: env({ RATE_LIMIT_LAUNCH_FAILURES_PER_MINUTE: '3' }) });
  const forged = () => requestLaunchQuery(concur(), { tamper: { signature: 'AAAA' } });
  assert.equal((await app.request(requestForm(forged()), { headers: JSON_ACCEPT })).status, 401);
  assert.equal((await app.request(expenseForm(launchQuery(concur(), { tamper: { signature: 'AAAA' } })))).status, 401);
  assert.equal((await app.request(requestForm(forged()))).status, 401);
  const limited = await app.request(requestForm(forged()));
  assert.equal(limited.status, 429);
  assert.ok(Number(limited.headers.get('retry-after')) >= 1);
  assert.ok((await app.request(requestForm(requestLaunchQuery(concur())))).status < 400, 'a signed one goes through');
});
