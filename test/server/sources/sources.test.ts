// Every kind of search source behind the popup's API, chosen per field by FIELDS_FILE, against msw: the
// customer's HTTP API (with failures and slow answers), Concur List v4, Concur Request v4; context filters;
// recent picks; and the fields file's validation messages.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { delay, http, HttpResponse } from 'msw';
import {
  CONCUR,
  bearer,
  fieldsFile,
  launchQuery,
  launchSession,
  makeApp,
  useFakeConcur,
  postCommit,
} from '../helpers.ts';
import {
  SANDBOX_DELEGATE,
  SANDBOX_EXTRA_FIELDS,
  SANDBOX_IDS,
  SANDBOX_LIST,
  SANDBOX_USER,
} from '../../../server/sandbox/concur-state.ts';
import { SAMPLE_CATALOG } from '../../../server/config.ts';
import { readFieldsFile } from '../../../server/fields/fields.ts';
import type { ErrorBody, SearchResponse } from '../../../src/contract/api.ts';

const { msw, concur } = useFakeConcur();
const ERP = 'https://erp.example.com';
type App = Awaited<ReturnType<typeof makeApp>>['app'];

const search = async (app: App, token: string, q: string, extra = '') => {
  const res = await app.request(`/api/search?q=${encodeURIComponent(q)}${extra}`, { headers: bearer(token) });
  return { status: res.status, body: (await res.json()) as SearchResponse & ErrorBody };
};
const commit = (app: App, token: string, code: string) => postCommit(app, token, { code });
const openContext = (app: App, token: string) => app.request('/api/context', { headers: bearer(token) });

describe("the customer's HTTP API", () => {
  const FIELDS = {
    sources: {
      erp: {
        type: 'http',
        title: 'the ERP cost centres',
        url: `${ERP}/api/cost-centres?q={query}&employee={employeeId}&on={date}`,
        headers: { Authorization: 'Bearer ${ERP_TOKEN}' },
        items: 'result.rows',
        total: 'result.count',
        map: { code: 'id', label: 'name', detail: 'dept.name', inactive: 'blockedBecause' },
        timeoutMs: 300,
        cacheSeconds: 30,
      },
    },
    fields: { custom5: 'erp', custom9: 'erp', custom12: 'erp' },
  };
  const rows = [
    { id: 'CC-4711', name: 'Munich sales', dept: { name: 'Sales DACH' } },
    { id: 'CC-4712', name: 'Munich service', dept: { name: 'Service' }, blockedBecause: 'frozen for 2026' },
  ];

  test('fills the URL with the query and the launch context, sends the configured secret, and maps the answer', async () => {
    const seen: { url: URL; auth: string | null }[] = [];
    msw.use(
      http.get(`${ERP}/api/cost-centres`, ({ request }) => {
        seen.push({ url: new URL(request.url), auth: request.headers.get('authorization') });
        return HttpResponse.json({ result: { rows, count: 2 } });
      }),
    );
    const { app } = await makeApp({ env: { FIELDS_FILE: fieldsFile(FIELDS), ERP_TOKEN: 'erp-secret-123' } });
    const token = await launchSession(app, concur());
    await openContext(app, token); // the expense's date becomes part of the context
    const { status, body } = await search(app, token, 'munich');
    assert.equal(status, 200);
    assert.deepEqual(body.items, [
      { code: 'CC-4711', label: 'Munich sales', detail: 'Sales DACH' },
      { code: 'CC-4712', label: 'Munich service', detail: 'Service', inactive: 'frozen for 2026' },
    ]);
    assert.equal(body.total, 2);
    const last = seen.at(-1)!;
    assert.equal(last.url.searchParams.get('q'), 'munich');
    assert.equal(last.url.searchParams.get('employee'), 'EMP-00042');
    assert.equal(last.url.searchParams.get('on'), '2026-11-12');
    assert.equal(last.auth, 'Bearer erp-secret-123');
    // The same search again within the cache time asks the API once.
    const before = seen.length;
    await search(app, token, 'munich');
    assert.equal(seen.length, before);
    // Commit checks the value with the API, and refuses an inactive one.
    assert.equal((await commit(app, token, 'CC-4711')).status, 200);
    assert.equal(concur().fieldValue(SANDBOX_IDS.taxi, 'custom12'), 'CC-4711');
    const blocked = await commit(app, token, 'CC-4712');
    assert.equal(blocked.status, 422);
    assert.match(((await blocked.json()) as ErrorBody).error.message, /frozen for 2026/);
  });

  test('an outage is a clear message, not a spinner', async () => {
    msw.use(http.get(`${ERP}/api/cost-centres`, () => HttpResponse.json({}, { status: 500 })));
    const { app } = await makeApp({ env: { FIELDS_FILE: fieldsFile(FIELDS), ERP_TOKEN: 't' } });
    const token = await launchSession(app, concur());
    const { status, body } = await search(app, token, 'x');
    assert.equal(status, 503);
    assert.equal(body.error.code, 'source_unavailable');
    assert.equal(
      body.error.message,
      'The ERP cost centres is not available right now (it answered HTTP 500). Please try again in a moment.',
    );
  });

  test('a slow answer ends at the configured timeout with a message', async () => {
    msw.use(
      http.get(`${ERP}/api/cost-centres`, async () => {
        await delay(2000);
        return HttpResponse.json({ result: { rows } });
      }),
    );
    const { app } = await makeApp({ env: { FIELDS_FILE: fieldsFile(FIELDS), ERP_TOKEN: 't' } });
    const token = await launchSession(app, concur());
    const started = performance.now();
    const { status, body } = await search(app, token, 'slow');
    assert.equal(status, 503);
    assert.match(body.error.message, /did not answer within 0.3 s/);
    assert.ok(performance.now() - started < 1900, 'it did not wait for the slow answer');
  });

  test('an answer without the configured list is reported', async () => {
    msw.use(http.get(`${ERP}/api/cost-centres`, () => HttpResponse.json({ unexpected: true })));
    const { app } = await makeApp({ env: { FIELDS_FILE: fieldsFile(FIELDS), ERP_TOKEN: 't' } });
    const token = await launchSession(app, concur());
    const { status, body } = await search(app, token, 'x');
    assert.equal(status, 503);
    assert.match(body.error.message, /cannot read/);
  });
});

describe('Concur List v4', () => {
  const FIELDS = {
    sources: { clients: { type: 'concur-list', listId: SANDBOX_LIST.id } },
    fields: { custom5: 'clients', custom9: 'clients', custom12: 'clients' },
  };

  test('lists the first level, searches by code or value, opens the next level, and writes the item id', async () => {
    const urls: URL[] = [];
    msw.events.on('request:start', ({ request }) => {
      if (request.url.includes('/list/v4/')) urls.push(new URL(request.url));
    });
    const { app } = await makeApp({ env: { FIELDS_FILE: fieldsFile(FIELDS) } });
    const token = await launchSession(app, concur());
    const top = await search(app, token, '');
    assert.deepEqual(
      top.body.items.map((i) => [i.display, i.label, i.hasChildren]),
      [
        ['AM', 'Americas', true],
        ['EU', 'Europe', true],
      ],
    );
    const europe = top.body.items.find((i) => i.display === 'EU')!;
    const level2 = await search(app, token, 'all', `&parent=${europe.code}`);
    assert.deepEqual(
      level2.body.items.map((i) => i.label),
      ['Allianz claims platform'],
    );
    assert.equal(urls.at(-1)!.searchParams.get('shortCodeOrValue'), 'cp:all');
    assert.match(urls.at(-1)!.pathname, new RegExp(`/list/v4/lists/${SANDBOX_LIST.id}/items/${europe.code}/children$`));
    const nokia = (await search(app, token, '', `&parent=${europe.code}`)).body.items.find((i) => i.display === 'NOK')!;
    assert.equal(nokia.inactive, 'removed from the list');
    msw.events.removeAllListeners();
    const allianz = level2.body.items[0]!;
    assert.equal((await commit(app, token, allianz.code)).status, 200);
    assert.equal(concur().fieldValue(SANDBOX_IDS.taxi, 'custom12'), allianz.code, 'the list item id is written');
    assert.equal((await commit(app, token, nokia.code)).status, 422);
  });
});

test('a Concur list or request outage is a message with its correlation id, not a spinner', async () => {
  const FIELDS = {
    sources: { clients: { type: 'concur-list', listId: SANDBOX_LIST.id }, trips: { type: 'concur-request' } },
    fields: { [SANDBOX_EXTRA_FIELDS.trip.id]: 'trips', custom12: 'clients' },
  };
  msw.use(
    http.get(`${CONCUR}/list/v4/lists/:id/children`, () =>
      HttpResponse.json({}, { status: 503, headers: { 'concur-correlationid': 'cid-list' } }),
    ),
    http.get(`${CONCUR}/travelrequest/v4/requests`, () =>
      HttpResponse.json({}, { status: 503, headers: { 'concur-correlationid': 'cid-req' } }),
    ),
  );
  const { app } = await makeApp({ env: { FIELDS_FILE: fieldsFile(FIELDS) } });
  for (const [field, cid] of [
    ['custom12', 'cid-list'],
    [SANDBOX_EXTRA_FIELDS.trip.id, 'cid-req'],
  ] as const) {
    const token = await launchSession(app, concur(), { unsigned: { custom_field_launched_from: field } });
    const { status, body } = await search(app, token, 'x');
    assert.equal(status, 502);
    assert.match(body.error.message, /Concur is having trouble right now \(HTTP 503\)/);
    assert.equal(body.error.correlationId, cid);
  }
});

describe('Concur Request v4', () => {
  const FIELDS = {
    sources: { trips: { type: 'concur-request', view: 'ALL' } },
    fields: { [SANDBOX_EXTRA_FIELDS.trip.id]: 'trips' },
  };
  const tripLaunch = { unsigned: { custom_field_launched_from: SANDBOX_EXTRA_FIELDS.trip.id } };

  test("lists the owner's travel requests with dates, destination and status; a cancelled one is greyed", async () => {
    const { app } = await makeApp({ env: { FIELDS_FILE: fieldsFile(FIELDS) } });
    const token = await launchSession(app, concur(), tripLaunch);
    const { body } = await search(app, token, 'frankfurt');
    assert.deepEqual(body.items[0], {
      code: '3KX9',
      label: 'Frankfurt client visit',
      detail: '2026-11-10 – 2026-11-13 · Frankfurt, DE · Approved',
      highlight: { label: [[0, 9]], detail: [[26, 35]] },
    });
    // Requests are ranked by the catalog's search: typos (the first letter too), words in another order.
    for (const typed of ['frnakfurt', 'vrankfurt', 'client visit frankfurt', 'frankfurt clinet'])
      assert.equal((await search(app, token, typed)).body.items[0]?.code, '3KX9', typed);
    const cancelled = (await search(app, token, 'zurich')).body.items[0]!;
    assert.equal(cancelled.inactive, 'cancelled');
    assert.equal((await commit(app, token, '3KX9')).status, 200);
    assert.equal(concur().fieldValue(SANDBOX_IDS.taxi, SANDBOX_EXTRA_FIELDS.trip.id), '3KX9');
    // A field the file does not name is not served: its launch is refused and nothing is written.
    const other = await app.request(`/launchexternalurl/v4/form?${launchQuery(concur()).toString()}`, {
      headers: { accept: 'application/json' },
    });
    assert.equal(other.status, 400);
    assert.equal(((await other.json()) as { error: { code: string } }).error.code, 'field_not_configured');
  });

  test("a delegate sees the owner's requests", async () => {
    const urls: URL[] = [];
    msw.events.on('request:start', ({ request }) => {
      if (request.url.includes('/travelrequest/')) urls.push(new URL(request.url));
    });
    const { app } = await makeApp({ env: { FIELDS_FILE: fieldsFile(FIELDS) } });
    const q = {
      signed: {
        logged_in_user_id: SANDBOX_DELEGATE.id,
        item_url: concur().entryUrl(concur().expenses.get(SANDBOX_IDS.taxi)!, 'PROXY'),
      },
      ...tripLaunch,
    };
    const res = await app.request(
      `/launchexternalurl/v4/form?${launchQuery(concur(), q).toString()}`.replace(
        /client_auth_code=[^&]+/,
        `client_auth_code=${concur().issueAuthCode(SANDBOX_DELEGATE.id)}`,
      ),
    );
    const cookie = res.headers.get('set-cookie')!.split(';')[0]!;
    const { token } = (await (await app.request('/api/session', { method: 'POST', headers: { cookie } })).json()) as {
      token: string;
    };
    const { body } = await search(app, token, '');
    msw.events.removeAllListeners();
    assert.equal(body.total, 3);
    assert.equal(urls[0]!.searchParams.get('userId'), SANDBOX_USER.id);
  });
});

describe('context filters', () => {
  const filtered = (otherwise: string) => ({
    sources: {
      projects: {
        type: 'catalog',
        file: SAMPLE_CATALOG,
        filters: [{ column: 'valid_to', onOrAfter: '{date}', otherwise, reason: 'closed on {value}' }],
      },
    },
    fields: { custom5: 'projects', custom9: 'projects', custom12: 'projects' },
  });

  test('a project closed before the expense date is listed greyed with the reason, and cannot be chosen', async () => {
    const { app } = await makeApp({ env: { FIELDS_FILE: fieldsFile(filtered('inactive')) } });
    const token = await launchSession(app, concur());
    await openContext(app, token);
    const { body } = await search(app, token, 'laptop');
    assert.deepEqual(
      body.items.map((i) => [i.code, i.inactive]),
      [['PRJ-1013', 'closed on 2026-06-30']],
    );
    const open = (await search(app, token, 'website')).body.items[0]!;
    assert.equal(open.inactive, undefined);
    const res = await commit(app, token, 'PRJ-1013');
    assert.equal(res.status, 422);
    assert.match(((await res.json()) as ErrorBody).error.message, /closed on 2026-06-30/);
  });

  test('with otherwise: hide, it is left out of the results and the count', async () => {
    const { app } = await makeApp({ env: { FIELDS_FILE: fieldsFile(filtered('hide')) } });
    const token = await launchSession(app, concur());
    await openContext(app, token);
    assert.equal((await search(app, token, 'laptop')).body.total, 0);
    // The sample catalog has 63 rows; three closed before 12 November 2026.
    assert.equal((await search(app, token, '')).body.total, 60);
  });
});

test("the user's recent picks for this field come first when the box is empty", async () => {
  const { app } = await makeApp();
  const first = await launchSession(app, concur());
  assert.equal((await commit(app, first, 'PRJ-1024')).status, 200);
  const second = await launchSession(app, concur());
  assert.equal((await commit(app, second, 'CC-100')).status, 200);
  const third = await launchSession(app, concur());
  const { body } = await search(app, third, '');
  assert.deepEqual(
    body.recent?.map((i) => i.code),
    ['CC-100', 'PRJ-1024'],
  );
  assert.equal((await search(app, third, 'x')).body.recent, undefined, 'only when nothing is typed');
  // Another field has its own recent picks.
  const header = await launchSession(app, concur(), {
    signed: { item_url: concur().reportUrl('764428DD6A664AF0BFCB') },
    unsigned: { source: 'HEADER', custom_field_launched_from: 'custom5' },
  });
  assert.deepEqual((await search(app, header, '')).body.recent, []);
});

describe('FIELDS_FILE validation names the exact place of a mistake', () => {
  const cases: [string, object, RegExp][] = [
    [
      'a URL without a scheme',
      { sources: { erp: { type: 'http', url: 'erp.example.com/x', map: { code: 'id', label: 'n' } } } },
      /: sources\.erp\.url: must start with https:\/\//,
    ],
    [
      'an unknown placeholder',
      { sources: { erp: { type: 'http', url: 'https://e/x?q={qeury}', map: { code: 'id', label: 'n' } } } },
      /: sources\.erp\.url: may use only \{query\}/,
    ],
    [
      'a field naming an undefined source',
      { sources: { a: { type: 'catalog' } }, fields: { custom9: 'b' } },
      /: fields\.custom9: names the source "b", which is not defined under sources/,
    ],
    ['an unknown source type', { sources: { a: { type: 'ftp' } } }, /: sources\.a\.type: /],
    [
      'a filter with two comparisons',
      { sources: { a: { type: 'catalog', filters: [{ column: 'c', equals: 'x', onOrAfter: '{date}' }] } } },
      /: sources\.a\.filters\.0: give exactly one of equals, onOrBefore, onOrAfter/,
    ],
    [
      'a typo in a key',
      { sources: { a: { type: 'catalog', fitlers: [] } } },
      /: sources\.a: Unrecognized key: "fitlers"/,
    ],
  ];
  for (const [name, content, message] of cases) {
    test(name, async () => {
      await assert.rejects(readFieldsFile(fieldsFile(content)), (e: Error) => message.test(e.message));
    });
  }

  test('a bad fields file stops the start with one FIELDS_FILE line', async () => {
    await assert.rejects(
      makeApp({ env: { FIELDS_FILE: fieldsFile({ sources: {}, fields: { custom12: 'x' } }) } }),
      /^ConfigError: FIELDS_FILE: .*fields\.custom12: names the source "x"/,
    );
  });
});
