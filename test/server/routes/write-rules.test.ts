// Which endpoint and which token write each item (protocol sheet §5), through the popup's API against the fake
// Concur, which holds the connector to today's rules: entries with the company's token on the short path (after a
// read with the user's token), headers by status, allocations with the user's token; paid reports, locked fields,
// values too long and a company not connected are refused before anything is written, and the popup is told first.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { CONCUR, bearer, launchSession, makeApp, postCommit, useFakeConcur } from '../helpers.ts';
import {
  SANDBOX_DELEGATE,
  SANDBOX_IDS,
  SANDBOX_PAID_REPORT,
  SANDBOX_REPORT,
  SANDBOX_SUBMITTED_REPORT,
  SANDBOX_USER,
} from '../../../server/sandbox/concur-state.ts';
import type { ErrorBody, SessionContext } from '../../../src/contract/api.ts';

const { msw, concur } = useFakeConcur();

type App = Awaited<ReturnType<typeof makeApp>>['app'];

/** A launch of this item and field, as Concur sends it (the delegate's from the PROXY context). */
async function launch(
  app: App,
  item: { url: string; source: 'ENTRY' | 'HEADER' | 'ALLOCATION'; expenseIds?: string },
  field: string,
  as: 'owner' | 'delegate' = 'owner',
) {
  const user = as === 'delegate' ? SANDBOX_DELEGATE.id : SANDBOX_USER.id;
  const c = concur();
  const code = c.issueAuthCode(user);
  return launchSession(app, c, {
    signed: { item_url: item.url, logged_in_user_id: user },
    unsigned: {
      source: item.source,
      custom_field_launched_from: field,
      client_auth_code: code,
      ...(item.expenseIds ? { expense_ids: item.expenseIds } : {}),
    },
  });
}

const entry = (id: string, context = 'TRAVELER') => ({
  url: concur().entryUrl(concur().expenses.get(id)!, context),
  source: 'ENTRY' as const,
});
const header = (reportId: string) => ({ url: concur().reportUrl(reportId), source: 'HEADER' as const });

async function context(app: App, token: string): Promise<SessionContext> {
  const res = await app.request('/api/context', { headers: bearer(token) });
  assert.equal(res.status, 200, await res.clone().text());
  return (await res.json()) as SessionContext;
}

/** Every call the connector makes to Concur while `run` runs, with the kind of token it carried. */
async function calls(run: () => Promise<unknown>) {
  const seen: { method: string; url: string; token: string | undefined; body?: unknown }[] = [];
  const listener = ({ request }: { request: Request }) => {
    const principal = concur().principalFor(request.headers.get('authorization'));
    seen.push({ method: request.method, url: request.url, token: principal?.kind });
  };
  msw.events.on('request:start', listener);
  try {
    await run();
  } finally {
    msw.events.removeListener('request:start', listener);
  }
  return seen.filter((c) => !c.url.includes('/oauth2/'));
}

const short = (reportId: string, expenseId?: string) =>
  `${CONCUR}/expensereports/v4/reports/${reportId}${expenseId ? `/expenses/${expenseId}` : ''}`;

describe('entries: the company token on the short path, after a read with the user token', () => {
  test('the value is written with PATCH /reports/{r}/expenses/{e}, the company token and expenseSource OTHER', async () => {
    const { app } = await makeApp();
    const token = await launch(app, entry(SANDBOX_IDS.taxi), 'custom12');
    const seen = await calls(async () =>
      assert.equal((await postCommit(app, token, { code: 'PRJ-1042' })).status, 200),
    );
    const patch = seen.filter((c) => c.method === 'PATCH');
    assert.deepEqual(patch, [{ method: 'PATCH', url: short(SANDBOX_REPORT.id, SANDBOX_IDS.taxi), token: 'company' }]);
    // Before it: the entry read with the user's token.
    const firstPatch = seen.findIndex((c) => c.method === 'PATCH');
    assert.ok(
      seen
        .slice(0, firstPatch)
        .some(
          (c) =>
            c.method === 'GET' &&
            c.url === concur().entryUrl(concur().expenses.get(SANDBOX_IDS.taxi)!) &&
            c.token === 'user',
        ),
      'the entry was read with the user token first',
    );
    const [write] = concur().writes;
    assert.equal(write?.path, 'entry');
    assert.deepEqual(write?.body, {
      customData: [{ id: 'custom12', value: 'PRJ-1042', isValid: true }],
      expenseSource: 'OTHER',
    });
    assert.equal('isExpenseRejected' in (write.body as object), false);
    assert.equal(concur().fieldValue(SANDBOX_IDS.taxi, 'custom12'), 'PRJ-1042');
  });

  test('an entry on a submitted report is written the same way', async () => {
    const { app } = await makeApp();
    const token = await launch(app, entry(SANDBOX_IDS.train), 'custom12');
    assert.equal((await postCommit(app, token, { code: 'PRJ-1011' })).status, 200);
    assert.equal(concur().writes[0]?.principal.kind, 'company');
    assert.equal(concur().fieldValue(SANDBOX_IDS.train, 'custom12'), 'PRJ-1011');
  });

  test('a user whose token cannot read the entry gets nothing written, though the company token could', async () => {
    const { app } = await makeApp();
    const token = await launch(app, entry(SANDBOX_IDS.taxi), 'custom12');
    // Concur takes the user's access away (the entry moved to another owner, say) after the launch.
    concur().expenses.get(SANDBOX_IDS.taxi)!.userId = SANDBOX_DELEGATE.id;
    concur().reports.get(SANDBOX_REPORT.id)!.userId = SANDBOX_DELEGATE.id;
    const res = await postCommit(app, token, { code: 'PRJ-1042' });
    assert.equal(res.status, 502);
    assert.deepEqual(concur().writes, []);
  });

  test("a delegate's reads use the PROXY context item_url names; the entry is written with the company token", async () => {
    const { app } = await makeApp();
    const token = await launch(app, entry(SANDBOX_IDS.taxi, 'PROXY'), 'custom12', 'delegate');
    const seen = await calls(async () =>
      assert.equal((await postCommit(app, token, { code: 'PRJ-1024' })).status, 200),
    );
    assert.ok(
      seen.some(
        (c) =>
          c.method === 'GET' &&
          c.url.includes(`/users/${SANDBOX_USER.id}/context/PROXY/reports/${SANDBOX_REPORT.id}/expenses/`) &&
          c.token === 'user',
      ),
    );
    assert.equal(concur().writes[0]?.principal.kind, 'company');
  });

  test('the removed user-context entry PATCH is never called (the fake answers it 404, as Concur documents none)', async () => {
    const { app } = await makeApp();
    const token = await launch(app, entry(SANDBOX_IDS.taxi), 'custom12');
    const seen = await calls(async () => postCommit(app, token, { code: 'PRJ-1042' }));
    assert.equal(seen.filter((c) => c.method === 'PATCH' && c.url.includes('/users/')).length, 0);
  });
});

describe('headers: by the report status', () => {
  test('an unsubmitted report: the user-context PATCH with the user token and reportSource', async () => {
    const { app } = await makeApp();
    const token = await launch(app, header(SANDBOX_REPORT.id), 'custom5');
    assert.equal((await postCommit(app, token, { code: 'CC-100' })).status, 200);
    const [write] = concur().writes;
    assert.equal(write?.path, 'header');
    assert.equal(write?.principal.kind, 'user');
    assert.deepEqual(write?.body, {
      customData: [{ id: 'custom5', value: 'CC-100', isValid: true }],
      reportSource: 'OTHER',
    });
  });

  test('a submitted report: PATCH /reports/{r} with the company token and no reportSource', async () => {
    const { app } = await makeApp();
    const token = await launch(app, header(SANDBOX_SUBMITTED_REPORT.id), 'custom5');
    const seen = await calls(async () => assert.equal((await postCommit(app, token, { code: 'CC-100' })).status, 200));
    assert.deepEqual(
      seen.filter((c) => c.method === 'PATCH'),
      [{ method: 'PATCH', url: short(SANDBOX_SUBMITTED_REPORT.id), token: 'company' }],
    );
    assert.deepEqual(concur().writes[0]?.body, { customData: [{ id: 'custom5', value: 'CC-100', isValid: true }] });
    assert.equal(concur().headerFieldValue(SANDBOX_SUBMITTED_REPORT.id, 'custom5'), 'CC-100');
  });
});

describe('allocations: the user token', () => {
  test("allocation.customData and the allocation's own expense in expenseIds", async () => {
    const { app } = await makeApp();
    const token = await launch(
      app,
      {
        url: concur().allocationUrl(SANDBOX_IDS.hotelAllocationA),
        source: 'ALLOCATION',
        expenseIds: SANDBOX_IDS.hotel,
      },
      'custom9',
    );
    assert.equal((await postCommit(app, token, { code: 'PRJ-1042' })).status, 200);
    const [write] = concur().writes;
    assert.equal(write?.path, 'allocation');
    assert.equal(write?.principal.kind, 'user');
    assert.deepEqual(write?.body, {
      allocation: { customData: [{ id: 'custom9', value: 'PRJ-1042', isValid: true }] },
      expenseIds: [SANDBOX_IDS.hotel],
    });
  });
});

describe('refused before anything is written, and said before the user picks', () => {
  test('a paid report: the context says so, and a commit is refused with 409 report_paid', async () => {
    const { app } = await makeApp();
    const token = await launch(app, entry(SANDBOX_IDS.supplierDinner), 'custom12');
    const ctx = await context(app, token);
    assert.equal(ctx.report.paid, true);
    assert.equal(ctx.blocked?.code, 'report_paid');
    assert.match(ctx.blocked.message, /has been paid/);
    const res = await postCommit(app, token, { code: 'PRJ-1042' });
    assert.equal(res.status, 409);
    assert.equal(((await res.json()) as ErrorBody).error.code, 'report_paid');
    assert.deepEqual(concur().writes, []);
    assert.equal(concur().reports.get(SANDBOX_PAID_REPORT.id)?.paymentStatusId, 'P_PAID');
  });

  test('no company connected: entries fail closed with the administrator message; unsubmitted headers still work', async () => {
    const { app } = await makeApp({ connected: false });
    const token = await launch(app, entry(SANDBOX_IDS.taxi), 'custom12');
    const ctx = await context(app, token);
    assert.equal(ctx.blocked?.code, 'company_not_connected');
    assert.match(ctx.blocked.message, /administrator must connect it/);
    const res = await postCommit(app, token, { code: 'PRJ-1042' });
    assert.equal(res.status, 409);
    assert.equal(((await res.json()) as ErrorBody).error.code, 'company_not_connected');
    assert.deepEqual(concur().writes, []);

    const submitted = await launch(app, header(SANDBOX_SUBMITTED_REPORT.id), 'custom5');
    assert.equal((await context(app, submitted)).blocked?.code, 'company_not_connected');
    const open = await launch(app, header(SANDBOX_REPORT.id), 'custom5');
    assert.equal((await context(app, open)).blocked, undefined);
    assert.equal((await postCommit(app, open, { code: 'CC-100' })).status, 200);
  });

  test('a connection Concur revoked: the write fails closed and the connection is marked disconnected', async () => {
    const { app, deps } = await makeApp();
    const token = await launch(app, entry(SANDBOX_IDS.taxi), 'custom12');
    concur().disconnectCompany();
    const res = await postCommit(app, token, { code: 'PRJ-1042' });
    assert.equal(res.status, 409);
    assert.equal(((await res.json()) as ErrorBody).error.code, 'company_not_connected');
    assert.equal((await deps.company.status())?.connected, false);
    assert.equal((await context(app, token)).blocked?.code, 'company_not_connected');
  });

  for (const access of ['RO', 'HD'] as const)
    test(`a field the form makes ${access} for this user: the context says so and a commit gets 409`, async () => {
      concur().fieldAccess.set('custom12', { access });
      const { app } = await makeApp();
      const token = await launch(app, entry(SANDBOX_IDS.taxi), 'custom12');
      const ctx = await context(app, token);
      assert.equal(ctx.field.access, access);
      assert.equal(ctx.blocked?.code, 'field_not_writable');
      assert.match(ctx.blocked.message, access === 'RO' ? /read-only/ : /hidden/);
      const res = await postCommit(app, token, { code: 'PRJ-1042' });
      assert.equal(res.status, 409);
      assert.equal(((await res.json()) as ErrorBody).error.code, 'field_not_writable');
      assert.deepEqual(concur().writes, []);
    });

  test("the field's maximum length reaches the popup, and a longer value is refused with 422 before Concur", async () => {
    concur().fieldAccess.set('custom12', { access: 'RW', maximumLength: 7 });
    const { app } = await makeApp();
    const token = await launch(app, entry(SANDBOX_IDS.taxi), 'custom12');
    const ctx = await context(app, token);
    assert.deepEqual(ctx.field, { id: 'custom12', access: 'RW', maxLength: 7 });
    assert.equal(ctx.blocked, undefined);
    const res = await postCommit(app, token, { code: 'CC-100' });
    assert.equal(res.status, 200, 'CC-100 fits');
    const long = await postCommit(app, token, { code: 'PRJ-1042' });
    assert.equal(long.status, 422);
    const body = (await long.json()) as ErrorBody;
    assert.equal(body.error.code, 'value_too_long');
    assert.match(body.error.message, /at most 7/);
    assert.equal(concur().writes.length, 1);
  });

  test('form fields given as { formFields: [...] } (the schema) are read like the bare array (the example)', async () => {
    concur().formFieldsShape = 'object';
    concur().fieldAccess.set('custom12', { access: 'RO' });
    const { app } = await makeApp();
    const token = await launch(app, entry(SANDBOX_IDS.taxi), 'custom12');
    assert.equal((await context(app, token)).field.access, 'RO');
  });

  test('a form-fields endpoint that fails leaves the rules unknown, and the popup works', async () => {
    const { http, HttpResponse } = await import('msw');
    msw.use(
      http.get(`${CONCUR}/expensereports/v4/reports/:r/expenses/:e/formFields`, () =>
        HttpResponse.json({ errorMessage: 'not here' }, { status: 404 }),
      ),
    );
    const { app } = await makeApp();
    const token = await launch(app, entry(SANDBOX_IDS.taxi), 'custom12');
    const ctx = await context(app, token);
    assert.deepEqual(ctx.field, { id: 'custom12' });
    assert.equal(ctx.blocked, undefined);
    assert.equal((await postCommit(app, token, { code: 'PRJ-1042' })).status, 200);
  });
});
