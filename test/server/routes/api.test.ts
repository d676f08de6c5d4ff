// The popup's API: context, search and commit, against the fake Concur, including its failures.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { delay, http, HttpResponse } from 'msw';
import {
  CONCUR,
  EXPENSE_ID,
  SECRETS,
  bearer,
  launchQuery,
  launchSession,
  makeApp,
  useFakeConcur,
  postCommit,
  fieldsFile,
} from '../helpers.ts';
import { SANDBOX_USER } from '../../../server/sandbox/concur-state.ts';
import type { CommitResponse, ErrorBody, SearchResponse } from '../../../src/contract/api.ts';

const { msw, concur } = useFakeConcur();
/** The entry as the launch names it (item_url), and where it is written: the short path, with the company token. */
const ITEM =
  `${CONCUR}/expensereports/v4/users/${SANDBOX_USER.id}/context/TRAVELER` +
  `/reports/764428DD6A664AF0BFCB/expenses/${EXPENSE_ID}`;
const ENTRY = `${CONCUR}/expensereports/v4/reports/764428DD6A664AF0BFCB/expenses/${EXPENSE_ID}`;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const commit = (app: Awaited<ReturnType<typeof makeApp>>['app'], token: string, code: string) =>
  postCommit(app, token, { code });

/** Records every PATCH that reaches the fake Concur, then lets the normal handler answer. */
function recordPatches() {
  const patches: {
    url: string;
    authorization: string | null;
    correlationId: string | null;
    contentType: string | null;
    body: unknown;
  }[] = [];
  msw.events.on('request:start', async ({ request }) => {
    if (request.method === 'PATCH') {
      patches.push({
        url: request.url,
        authorization: request.headers.get('authorization'),
        correlationId: request.headers.get('concur-correlationid'),
        contentType: request.headers.get('content-type'),
        body: await request.clone().json(),
      });
    }
  });
  return patches;
}

describe('context and search', () => {
  test('the item is read from Concur once, while the page loads: the first context and searches take that read', async () => {
    // A source that reads the entry's date (a context filter): its search waits for the read, and asks no other.
    const FIELDS_FILE = fieldsFile({
      sources: {
        projects: {
          type: 'catalog',
          filters: [{ column: 'valid_to', onOrAfter: '{date}', reason: 'closed on {value}' }],
        },
      },
      fields: { custom12: 'projects' },
    });
    const gets: string[] = [];
    msw.events.on('request:start', ({ request }) => {
      if (request.method === 'GET') gets.push(new URL(request.url).pathname);
    });
    const { app } = await makeApp({ env: { FIELDS_FILE } });
    const token = await launchSession(app, concur());
    const [search, context] = await Promise.all([
      app.request('/api/search?q=z%C3%BCrich', { headers: bearer(token) }),
      app.request('/api/context', { headers: bearer(token) }),
    ]);
    msw.events.removeAllListeners();
    assert.deepEqual([search.status, context.status], [200, 200]);
    assert.ok(((await search.json()) as SearchResponse).items.length > 0);
    const counts = Object.values(Object.groupBy(gets, (p) => p)).map((list) => list!.length);
    assert.ok(gets.length >= 3, `the entry, its report and its form: ${gets.join(', ')}`);
    assert.deepEqual(new Set(counts), new Set([1]), `each read once: ${gets.join(', ')}`);
  });

  test('the context shows the expense, the field and its current value', async () => {
    const { app } = await makeApp();
    concur()
      .expenses.get(EXPENSE_ID)!
      .customData.find((f) => f.id === 'custom12')!.value = 'PRJ-1011';
    const token = await launchSession(app, concur());
    const res = await app.request('/api/context', { headers: bearer(token) });
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), {
      item: { kind: 'ENTRY', expenseType: 'Taxi', amount: { value: 42.5, currency: 'EUR' }, date: '2026-11-12' },
      report: {
        name: 'November client visit',
        submitted: false,
        paid: false,
        ownerEmployeeId: 'EMP-00042',
        onBehalfOfOwner: false,
      },
      // The form's rules for the field, from Concur's form fields.
      field: { id: 'custom12', access: 'RW', maxLength: 48 },
      currentValue: 'PRJ-1011',
      currentItem: { code: 'PRJ-1011', label: 'Zürich data centre migration', detail: 'IT · Zürich' },
      languageCode: 'en-GB',
      isMobile: false,
    });
  });

  test('search finds catalog items by label, ignoring accents and a typo', async () => {
    const { app } = await makeApp();
    const token = await launchSession(app, concur());
    const res = await app.request('/api/search?q=zurch', { headers: bearer(token) });
    const body = (await res.json()) as SearchResponse;
    assert.deepEqual(
      body.items.map((i) => i.code),
      ['PRJ-1011'],
    );
  });

  test('search by partial code puts the code that starts with it first', async () => {
    const { app } = await makeApp();
    const token = await launchSession(app, concur());
    const body = (await (
      await app.request('/api/search?q=PRJ-102', { headers: bearer(token) })
    ).json()) as SearchResponse;
    assert.equal(body.items[0]?.code, 'PRJ-1024');
  });

  test('a bad search parameter gets 400 JSON naming it', async () => {
    const { app } = await makeApp();
    const token = await launchSession(app, concur());
    const res = await app.request('/api/search?q=a&limit=5000', { headers: bearer(token) });
    assert.equal(res.status, 400);
    assert.match(((await res.json()) as ErrorBody).error.message, /^limit: /);
  });

  test('without a session the API answers 401 JSON', async () => {
    const { app } = await makeApp();
    for (const headers of [{}, bearer('not-a-session-token-at-all-0000000')]) {
      const res = await app.request('/api/context', { headers });
      assert.equal(res.status, 401);
      assert.equal(((await res.json()) as ErrorBody).error.code, 'session_missing');
    }
  });
});

describe('commit', () => {
  test("writes the value to the launched entry with the company's token, then answers", async () => {
    const patches = recordPatches();
    const reads: (string | null)[] = [];
    msw.events.on('request:start', ({ request }) => {
      if (request.method === 'GET') reads.push(request.headers.get('authorization'));
    });
    const { app } = await makeApp();
    const token = await launchSession(app, concur());
    const res = await commit(app, token, 'PRJ-1042');
    msw.events.removeAllListeners();
    assert.equal(res.status, 200);
    const body = (await res.json()) as CommitResponse;
    assert.equal(body.value, 'PRJ-1042');
    assert.equal(patches.length, 1);
    const [patch] = patches;
    assert.equal(patch!.url, ENTRY);
    assert.match(patch!.authorization!, /^Bearer sbx-at-/);
    // The launch's user token read the item (the facts, then again before the write); not it, the company's wrote.
    const userAuth = [...new Set(reads)];
    assert.equal(userAuth.length, 1, `every read with the one user token: ${userAuth.join(', ')}`);
    assert.notEqual(patch!.authorization, userAuth[0]);
    assert.deepEqual(
      concur().writes.map((w) => [w.path, w.principal.kind, w.itemId]),
      [['entry', 'company', EXPENSE_ID]],
    );
    assert.match(patch!.correlationId!, UUID);
    assert.equal(body.correlationId, patch!.correlationId, 'the id Concur echoed is the one reported');
    assert.equal(patch!.contentType, 'application/json');
    assert.deepEqual(patch!.body, {
      customData: [{ id: 'custom12', value: 'PRJ-1042', isValid: true }],
      expenseSource: 'OTHER',
    });
    // What Concur now holds: the new value, and the other custom field untouched.
    assert.equal(concur().fieldValue(EXPENSE_ID, 'custom12'), 'PRJ-1042');
    assert.equal(concur().fieldValue(EXPENSE_ID, 'custom1'), 'Client meeting');
  });

  test('each session writes only to its own launch item', async () => {
    const patches = recordPatches();
    const { app } = await makeApp();
    const other = {
      ...concur().expenses.get(EXPENSE_ID)!,
      expenseId: 'B0000000000000000000000000000002',
      customData: [],
    };
    concur().addExpense(other);
    const tokenA = await launchSession(app, concur());
    const tokenB = await launchSession(app, concur(), {
      signed: { item_url: ITEM.replace(EXPENSE_ID, other.expenseId) },
    });
    assert.equal((await commit(app, tokenB, 'CC-100')).status, 200);
    assert.equal((await commit(app, tokenA, 'PRJ-1042')).status, 200);
    msw.events.removeAllListeners();
    assert.deepEqual(
      patches.map((p) => p.url),
      [ENTRY.replace(EXPENSE_ID, other.expenseId), ENTRY],
    );
    assert.equal(concur().fieldValue(other.expenseId, 'custom12'), 'CC-100');
    assert.equal(concur().fieldValue(EXPENSE_ID, 'custom12'), 'PRJ-1042');
  });

  test('a value the catalog does not offer is refused with 422 and nothing is written', async () => {
    const patches = recordPatches();
    const { app } = await makeApp();
    const token = await launchSession(app, concur());
    const res = await commit(app, token, 'HACKED');
    msw.events.removeAllListeners();
    assert.equal(res.status, 422);
    assert.equal(((await res.json()) as ErrorBody).error.code, 'value_not_in_catalog');
    assert.equal(patches.length, 0);
  });

  test('a body the contract refuses (a value over 48 characters) gets 400', async () => {
    const { app } = await makeApp();
    const token = await launchSession(app, concur());
    const res = await commit(app, token, 'X'.repeat(49));
    assert.equal(res.status, 400);
    assert.match(((await res.json()) as ErrorBody).error.message, /^code: /);
  });

  test('retries a 503 with a fresh correlation id, then succeeds', async () => {
    const patches = recordPatches();
    let failures = 1;
    msw.use(
      http.patch(ENTRY, () =>
        failures-- > 0 ? HttpResponse.json({ errorMessage: 'maintenance' }, { status: 503 }) : undefined,
      ),
    );
    const { app } = await makeApp();
    const token = await launchSession(app, concur());
    const res = await commit(app, token, 'PRJ-1042');
    msw.events.removeAllListeners();
    assert.equal(res.status, 200);
    assert.equal(patches.length, 2);
    assert.notEqual(patches[0]!.correlationId, patches[1]!.correlationId);
    assert.equal(concur().fieldValue(EXPENSE_ID, 'custom12'), 'PRJ-1042');
  });

  test('retries a 429 after its Retry-After, and a timeout', async () => {
    let calls = 0;
    msw.use(
      http.patch(ENTRY, async () => {
        calls += 1;
        if (calls === 1) return HttpResponse.json({}, { status: 429, headers: { 'retry-after': '0' } });
        if (calls === 2) await delay(2_000); // longer than the per-attempt timeout
        return undefined;
      }),
    );
    const { app } = await makeApp();
    const token = await launchSession(app, concur());
    assert.equal((await commit(app, token, 'PRJ-1042')).status, 200);
    assert.equal(calls, 3);
    assert.equal(concur().fieldValue(EXPENSE_ID, 'custom12'), 'PRJ-1042');
  });

  for (const status of [500, 502, 503, 504]) {
    test(`retries a ${status} and then succeeds`, async () => {
      let calls = 0;
      msw.use(http.patch(ENTRY, () => (++calls === 1 ? HttpResponse.json({}, { status }) : undefined)));
      const { app } = await makeApp();
      const token = await launchSession(app, concur());
      assert.equal((await commit(app, token, 'PRJ-1042')).status, 200);
      assert.equal(calls, 2);
    });
  }

  for (const status of [400, 403, 404, 409, 422]) {
    test(`does not retry a ${status}, and reports it`, async () => {
      let calls = 0;
      msw.use(
        http.patch(ENTRY, () => {
          calls += 1;
          return HttpResponse.json({ errorMessage: 'no' }, { status });
        }),
      );
      const { app } = await makeApp();
      const token = await launchSession(app, concur());
      const res = await commit(app, token, 'PRJ-1042');
      assert.equal(res.status, 502);
      assert.match(((await res.json()) as ErrorBody).error.message, new RegExp(`HTTP ${status}`));
      assert.equal(calls, 1);
    });
  }

  test("waits as long as a 429's Retry-After asks before trying again", async () => {
    const times: number[] = [];
    msw.use(
      http.patch(ENTRY, () => {
        times.push(performance.now());
        return times.length === 1 ? HttpResponse.json({}, { status: 429, headers: { 'retry-after': '1' } }) : undefined;
      }),
    );
    const { app } = await makeApp();
    const token = await launchSession(app, concur());
    assert.equal((await commit(app, token, 'PRJ-1042')).status, 200);
    assert.equal(times.length, 2);
    assert.ok(times[1]! - times[0]! >= 950, `waited ${Math.round(times[1]! - times[0]!)} ms`);
  });

  test('a write that keeps failing is reported with the correlation id Concur returned', async () => {
    let calls = 0;
    msw.use(
      http.patch(ENTRY, () => {
        calls += 1;
        return HttpResponse.json(
          { errorMessage: 'boom' },
          { status: 500, headers: { 'concur-correlationid': `concur-cid-${calls}` } },
        );
      }),
    );
    const { app } = await makeApp();
    const token = await launchSession(app, concur());
    const res = await commit(app, token, 'PRJ-1042');
    assert.equal(res.status, 502);
    const { error } = (await res.json()) as ErrorBody;
    assert.equal(error.code, 'concur_unavailable');
    assert.equal(error.correlationId, 'concur-cid-3');
    assert.match(error.message, /try again/i);
    assert.equal(calls, 3, 'bounded: the first try and two retries');
    assert.equal(concur().fieldValue(EXPENSE_ID, 'custom12'), null);
  });

  test('a 400 from Concur is not retried and its validation message reaches the user', async () => {
    let calls = 0;
    msw.use(
      http.patch(ENTRY, () => {
        calls += 1;
        return HttpResponse.json(
          {
            errorMessage: 'Validation failed',
            validationErrors: [{ id: 'custom12', message: 'The field is read-only for this expense type' }],
          },
          { status: 400, headers: { 'concur-correlationid': 'concur-cid-400' } },
        );
      }),
    );
    const { app } = await makeApp();
    const token = await launchSession(app, concur());
    const res = await commit(app, token, 'PRJ-1042');
    assert.equal(res.status, 502);
    const { error } = (await res.json()) as ErrorBody;
    assert.equal(calls, 1);
    assert.equal(error.code, 'concur_request_refused');
    assert.equal(error.correlationId, 'concur-cid-400');
    assert.match(error.message, /read-only for this expense type/);
  });

  test('the network failing for good is reported, not hung on', async () => {
    msw.use(http.patch(ENTRY, () => HttpResponse.error()));
    const { app } = await makeApp();
    const token = await launchSession(app, concur());
    const res = await commit(app, token, 'PRJ-1042');
    assert.equal(res.status, 502);
    const { error } = (await res.json()) as ErrorBody;
    assert.match(error.message, /could not be reached/);
    assert.match(error.correlationId!, UUID, 'our own correlation id, when Concur never answered');
  });
});

test('no secret reaches a log line during a launch and a write', async () => {
  const { app, logs } = await makeApp();
  const q = launchQuery(concur());
  const res = await app.request(`/launchexternalurl/v4/form?${q.toString()}`);
  const cookie = res.headers.get('set-cookie')!.split(';')[0]!;
  const { token } = (await (await app.request('/api/session', { method: 'POST', headers: { cookie } })).json()) as {
    token: string;
  };
  assert.equal((await commit(app, token, 'PRJ-1042')).status, 200);
  const all = logs.join('\n');
  assert.ok(all.includes('value written to Concur'), 'the logs were captured');
  assert.ok(all.includes('"correlationId"'), 'correlation ids are logged');
  for (const secret of [
    ...SECRETS,
    q.get('client_auth_code')!,
    q.get('signature')!,
    token,
    'sbx-at-',
    cookie.split('=')[1]!,
  ]) {
    assert.ok(!all.includes(secret), `a log line contains ${secret.slice(0, 6)}…`);
  }
});
