// Concur Request items through the popup's API: what the context shows, and each Request v4 write with its body,
// its token and its userId as the fake Concur received them, read back, and audited.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { http, HttpResponse } from 'msw';
import { bearer, CONCUR, fieldsFile, makeApp, postCommit, useFakeConcur } from '../helpers.ts';
import {
  SANDBOX_COMPANY,
  SANDBOX_DELEGATE,
  SANDBOX_TRAVEL_REQUESTS,
  SANDBOX_USER,
} from '../../../server/sandbox/concur-state.ts';
import { SANDBOX_REQUEST_IDS } from '../../../server/sandbox/request-state.ts';
import { errorOf, REQUEST_FIELDS, requestSession } from './request-launch.ts';
import { FRANKFURT_REQUEST_ITEM, FRANKFURT_REQUEST_REPORT } from '../../request-context.ts';

const { msw, concur } = useFakeConcur();
const FRANKFURT = SANDBOX_TRAVEL_REQUESTS.frankfurt.id;
const env = () => ({ FIELDS_FILE: fieldsFile(REQUEST_FIELDS) });
const context = async (app: { request(p: string, i: RequestInit): Response | Promise<Response> }, token: string) =>
  (await app.request('/api/context', { headers: bearer(token) })).json() as Promise<Record<string, unknown>>;

describe('the popup reads a travel request', () => {
  test("a header launch shows the request's name, dates and the field's current value", async () => {
    concur().requestForms.headers.get(FRANKFURT)!.custom5 = 'PRJ-1011';
    const { app } = await makeApp({ env: env() });
    const token = await requestSession(app, concur());
    const ctx = await context(app, token);
    assert.equal(ctx.product, 'request');
    assert.deepEqual(ctx.item, FRANKFURT_REQUEST_ITEM);
    assert.deepEqual(ctx.report, FRANKFURT_REQUEST_REPORT);
    assert.equal(ctx.currentValue, 'PRJ-1011');
    assert.equal((ctx.currentItem as { label: string }).label, 'Zürich data centre migration');
  });

  test("an expected expense launch shows the expense, and its request's name and dates", async () => {
    const { app } = await makeApp({ env: env() });
    const ctx = await context(app, await requestSession(app, concur(), { item: 'entry' }));
    assert.deepEqual(ctx.item, {
      kind: 'ENTRY',
      expenseType: 'Taxi',
      amount: { value: 60, currency: 'EUR' },
      date: '2026-11-10',
    });
    assert.equal((ctx.report as { name: string }).name, 'Frankfurt client visit');
    assert.equal(ctx.blocked, undefined, 'the company is connected');
  });

  test('without a company connection, an expected expense says so before anything is chosen', async () => {
    const { app } = await makeApp({ env: env(), connected: false });
    const ctx = await context(app, await requestSession(app, concur(), { item: 'entry' }));
    const blocked = ctx.blocked as { code: string; message: string };
    assert.equal(blocked.code, 'company_not_connected');
    assert.match(blocked.message, /expected expenses on travel requests cannot be changed/);
    // A header is written with the user's token: nothing blocks it.
    const header = await context(app, await requestSession(app, concur()));
    assert.equal(header.blocked, undefined);
  });
});

describe('Done writes through Request v4 with the token each endpoint takes', () => {
  test("the header: PUT /requests/{id} with the user's token and the field alone; read back; audited", async () => {
    const { app, deps } = await makeApp({ env: env() });
    const token = await requestSession(app, concur());
    const res = await postCommit(app, token, { code: 'PRJ-1042' });
    assert.equal(res.status, 200);
    assert.equal(concur().requestForms.headerValue(FRANKFURT, 'custom5'), 'PRJ-1042');
    const [write, ...more] = concur().requestForms.writes;
    assert.deepEqual(more, []);
    assert.deepEqual(write, {
      path: 'request',
      principal: { kind: 'user', userId: SANDBOX_USER.id },
      itemId: FRANKFURT,
      body: { custom5: { value: 'PRJ-1042' } },
    });
    assert.deepEqual(concur().writes, [], 'nothing went to Expense v4');
    const [audit] = await deps.store.writesSince(0);
    assert.equal(audit!.result, 'written');
    assert.equal(audit!.item, `REQUEST HEADER ${FRANKFURT}`);
    assert.deepEqual(audit!.fields, [{ field: 'custom5', old: null, new: 'PRJ-1042' }]);
  });

  test("an expected expense: PUT /expenses/{id} with the company's token and userId = the request owner", async () => {
    const seen: string[] = [];
    msw.events.on('request:start', ({ request }) => {
      if (request.method === 'PUT') seen.push(new URL(request.url).pathname + new URL(request.url).search);
    });
    const { app } = await makeApp({ env: env() });
    const token = await requestSession(app, concur(), { item: 'entry' });
    assert.equal((await postCommit(app, token, { code: 'PRJ-1024' })).status, 200);
    msw.events.removeAllListeners();
    assert.deepEqual(seen, [`/travelrequest/v4/expenses/${SANDBOX_REQUEST_IDS.taxi}?userId=${SANDBOX_USER.id}`]);
    assert.deepEqual(concur().requestForms.writes, [
      {
        path: 'expected-expense',
        principal: { kind: 'company', companyId: SANDBOX_COMPANY.id },
        userId: SANDBOX_USER.id,
        itemId: SANDBOX_REQUEST_IDS.taxi,
        body: { custom12: { value: 'PRJ-1024' } },
      },
    ]);
    assert.equal(concur().requestForms.expenseValue(SANDBOX_REQUEST_IDS.taxi, 'custom12'), 'PRJ-1024');
  });

  test("an allocation: PUT /requests/{r}/allocations/{a} with the user's token", async () => {
    const { app, deps } = await makeApp({ env: env() });
    const token = await requestSession(app, concur(), {
      item: 'allocation',
      unsigned: { request_ids: SANDBOX_REQUEST_IDS.hotel },
    });
    assert.equal((await postCommit(app, token, { code: 'PRJ-1011' })).status, 200);
    const [write] = concur().requestForms.writes;
    assert.equal(write!.path, 'allocation');
    assert.deepEqual(write!.principal, { kind: 'user', userId: SANDBOX_USER.id });
    assert.deepEqual(write!.body, { custom9: { value: 'PRJ-1011' } });
    assert.equal(concur().requestForms.allocationValue(SANDBOX_REQUEST_IDS.hotelAllocationA, 'custom9'), 'PRJ-1011');
    assert.equal(
      (await deps.store.writesSince(0))[0]!.item,
      `REQUEST ALLOCATION ${FRANKFURT} ${SANDBOX_REQUEST_IDS.hotelAllocationA}`,
    );
  });

  test("a delegate's user-token writes name the owner in userId; the company's names the owner too", async () => {
    const { app } = await makeApp({ env: env() });
    const header = await requestSession(app, concur(), { user: SANDBOX_DELEGATE.id });
    const ctx = await context(app, header);
    assert.equal((ctx.report as { onBehalfOfOwner: boolean }).onBehalfOfOwner, true);
    assert.equal((await postCommit(app, header, { code: 'PRJ-1042' })).status, 200);
    const entry = await requestSession(app, concur(), { user: SANDBOX_DELEGATE.id, item: 'entry' });
    assert.equal((await postCommit(app, entry, { code: 'PRJ-1042' })).status, 200);
    assert.deepEqual(
      concur().requestForms.writes.map((w) => [w.path, w.principal.kind, w.userId]),
      [
        ['request', 'user', SANDBOX_USER.id],
        ['expected-expense', 'company', SANDBOX_USER.id],
      ],
    );
  });

  test('without a company connection an expected expense is not written, and the attempt is audited', async () => {
    const { app, deps } = await makeApp({ env: env(), connected: false });
    const token = await requestSession(app, concur(), { item: 'entry' });
    const res = await postCommit(app, token, { code: 'PRJ-1042' });
    assert.equal(res.status, 409);
    const error = await errorOf(res);
    assert.equal(error.code, 'company_not_connected');
    assert.match(error.message, /expected expenses on travel requests/);
    assert.deepEqual(concur().requestForms.writes, []);
    assert.equal((await deps.store.writesSince(0))[0]!.result, 'failed');
  });
});

describe('a write Concur does not keep is not reported as saved', () => {
  test('a field the form does not have is ignored by the PUT; the read-back says so and the popup stays', async () => {
    const { app, deps } = await makeApp({ env: env() });
    const token = await requestSession(app, concur(), { unsigned: { custom_field_launched_from: 'custom7' } });
    const res = await postCommit(app, token, { code: 'PRJ-1042' });
    assert.equal(res.status, 502);
    const error = await errorOf(res);
    assert.equal(error.code, 'concur_request_refused');
    assert.match(error.message, /Concur accepted the change but does not show it: custom7/);
    const [audit] = await deps.store.writesSince(0);
    assert.deepEqual([audit!.result, audit!.error], ['failed', 'concur_request_refused']);
  });

  test("a cancelled request refuses the change (409), and the user is told Concur's reason", async () => {
    const { app } = await makeApp({ env: env() });
    const token = await requestSession(app, concur(), { item: 'cancelled' });
    const res = await postCommit(app, token, { code: 'PRJ-1042' });
    assert.equal(res.status, 502);
    assert.match((await errorOf(res)).message, /HTTP 409.*cancelled or closed/);
  });

  test('a request that is not the signed owner’s is neither read nor written', async () => {
    msw.use(
      http.get(`${CONCUR}/travelrequest/v4/requests/:id`, ({ params }) =>
        HttpResponse.json({ id: params.id, name: 'Not yours', owner: { id: SANDBOX_DELEGATE.id } }),
      ),
    );
    const { app } = await makeApp({ env: env() });
    const token = await requestSession(app, concur());
    const res = await app.request('/api/context', { headers: bearer(token) });
    assert.equal(res.status, 502);
    assert.match((await errorOf(res)).message, /belongs to another employee/);
    assert.equal((await postCommit(app, token, { code: 'PRJ-1042' })).status, 502);
    assert.deepEqual(concur().requestForms.writes, []);
  });
});
