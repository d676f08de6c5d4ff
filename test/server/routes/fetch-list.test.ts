// POST /concur/list/v1.2/fetch, Concur's Fetch List callout, through the whole app: the documentation's examples
// answered as documented, a connected list on two levels, the connector's Basic pair (401 with a challenge, throttled
// with Test Connection), every refusal a 400 in XML with a log line and never a 500, the XXE and billion-laughs
// payloads refused with the server still answering, and a registered company's own endpoint path.
import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { makeApp, fieldsFile, CREDENTIALS } from '../helpers.ts';
import { addCompany, setCatalog, setFields } from '../../../server/companies/admin.ts';
import { DEFAULT_FETCH_LIST_PATH } from '../../../server/fetch-list/config.ts';
import {
  BILLION_LAUGHS,
  DOC_MULTI_LEVEL,
  DOC_SINGLE_LEVEL,
  GEO_CSV,
  PROJECTS_CSV,
  TASKS_CSV,
  XXE,
  files,
  items,
  request,
  search,
} from '../fetch-list/fixtures.ts';

type App = Awaited<ReturnType<typeof makeApp>>['app'];
const basic = ({ username, password }: { username: string; password: string }) =>
  `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;

/** Posts a request as Concur does: its Basic pair, application/xml. */
function post(
  app: App,
  body: string | ReadableStream<Uint8Array>,
  opts: { path?: string; authorization?: string | null; headers?: Record<string, string> } = {},
) {
  const authorization = opts.authorization === undefined ? basic(CREDENTIALS) : opts.authorization;
  const init: RequestInit & { duplex?: 'half' } = {
    method: 'POST',
    headers: {
      'content-type': 'application/xml; charset=utf-8',
      ...(authorization ? { authorization } : {}),
      ...opts.headers,
    },
    body,
    ...(body instanceof ReadableStream ? { duplex: 'half' } : {}),
  };
  return app.request(opts.path ?? DEFAULT_FETCH_LIST_PATH, init);
}

const paths = files({ 'geo.csv': GEO_CSV, 'projects.csv': PROJECTS_CSV, 'tasks.csv': TASKS_CSV });
const LOCATION = {
  name: 'Location',
  source: 'geo',
  levels: { 2: { parent: 'country' }, 3: { parent: 'region' }, 4: { parent: 'state' } },
};
const PROJECT_TASK = {
  name: 'Project / Task',
  source: 'projects',
  levels: { 2: { parent: 'project', source: 'tasks' } },
};

/** The apps a test made: their catalog files are no longer watched once it ends. */
const made: Awaited<ReturnType<typeof makeApp>>[] = [];
afterEach(() => made.splice(0).forEach((m) => m.deps.sources.close()));

/** The app with these lists mapped (and custom12 searching the projects in the popup, from the same catalog). */
const withLists = async (lists: object[], env: Record<string, string> = {}) => {
  const app = await makeApp({
    env: {
      FIELDS_FILE: fieldsFile({
        sources: {
          geo: { type: 'catalog', file: paths['geo.csv'] },
          projects: { type: 'catalog', file: paths['projects.csv'] },
          tasks: { type: 'catalog', file: paths['tasks.csv'] },
        },
        fields: { custom12: 'projects' },
        fetchList: { lists },
      }),
      ...env,
    },
    connected: false,
  });
  made.push(app);
  return app;
};

/** The XML refusal: its status, its code, its Content-Type. */
async function refusal(res: Response) {
  const text = await res.text();
  return {
    status: res.status,
    type: res.headers.get('content-type'),
    code: /<error><code>([^<]*)<\/code><message>[^<]+<\/message><\/error>/.exec(text)?.[1] ?? text,
  };
}
const XML = 'application/xml; charset=utf-8';

test("the documentation's multi-level example is answered as documented: San Francisco, San Diego, San Jose", async () => {
  const { app } = await withLists([LOCATION]);
  const res = await post(app, DOC_MULTI_LEVEL);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), XML);
  const answered = items(await res.text());
  assert.deepEqual(answered.map((i) => i.code).sort(), ['US-W-CA-SD', 'US-W-CA-SF', 'US-W-CA-SJ']);
  for (const item of answered) assert.deepEqual(item.elements, ['code', 'short-code', 'text', 'match-value']);
  assert.deepEqual(
    answered.find((i) => i.code === 'US-W-CA-SF'),
    {
      elements: ['code', 'short-code', 'text', 'match-value'],
      code: 'US-W-CA-SF',
      'short-code': 'SF',
      text: 'San Francisco',
      'match-value': 'San Francisco',
    },
  );
});

test("the documentation's single-level example with no match: an empty <fetch-list-response/>", async () => {
  const { app } = await withLists([LOCATION]);
  const res = await post(app, DOC_SINGLE_LEVEL);
  assert.equal(res.status, 200);
  assert.equal(await res.text(), '<fetch-list-response/>');
});

test('a connected list on two levels, by its list-name: projects by TEXT, then the tasks of one by CODE', async () => {
  const { app } = await withLists([LOCATION, PROJECT_TASK]);
  const named = { 'list-name': 'Project / Task' };
  const projects = items(await (await post(app, search([], 'relaunch', 'TEXT', named))).text());
  assert.deepEqual(
    projects.map((i) => [i.code, i.text]),
    [['P100', 'Website relaunch']],
  );
  const tasks = items(await (await post(app, search(['P100'], 'T1*', 'CODE', named))).text());
  assert.deepEqual(
    tasks.map((i) => [i.code, i['short-code'], i['match-value']]),
    [
      ['P100-T110', 'T110', 'T110'],
      ['P100-T120', 'T120', 'T120'],
      ['P100-T130', 'T130', 'T130'],
    ],
  );
  const location = items(await (await post(app, search([], '*', 'CODE', { 'list-name': 'location' }))).text());
  assert.deepEqual(
    location.map((i) => i.code),
    ['DE', 'US'],
  );
});

test("the protocol sheet's Basic header for the connector credentials is let in", async () => {
  const { app } = await withLists([LOCATION]);
  const res = await post(app, DOC_MULTI_LEVEL, { authorization: 'Basic TGV1Q29ubmVjdG9yVXNlcjpTM2NyZXQtUGFzc3cwcmQh' });
  assert.equal(res.status, 200);
});

for (const [name, authorization] of [
  ['no credentials', null],
  ['a wrong password', basic({ ...CREDENTIALS, password: 'S3cret-Passw0rd?' })],
  ['a wrong user name', basic({ ...CREDENTIALS, username: 'someone-else' })],
  ['a malformed header', 'Basic !!!'],
] as const) {
  test(`${name}: 401 with a Basic challenge, in XML`, async () => {
    const { app } = await withLists([LOCATION]);
    const res = await post(app, DOC_MULTI_LEVEL, { authorization });
    assert.match(res.headers.get('www-authenticate') ?? '', /^Basic realm="Concur connector"/);
    assert.deepEqual(await refusal(res), { status: 401, type: XML, code: 'unauthorized' });
  });
}

test('wrong pairs are throttled per address, counted with Test Connection: past the limit even the right one gets 429', async () => {
  const { app } = await withLists([LOCATION], { RATE_LIMIT_LAUNCH_FAILURES_PER_MINUTE: '3' });
  const wrong = basic({ ...CREDENTIALS, password: 'guess-guess-1' });
  assert.equal((await post(app, DOC_MULTI_LEVEL, { authorization: wrong })).status, 401);
  assert.equal((await post(app, DOC_MULTI_LEVEL, { authorization: wrong })).status, 401);
  const tested = await app.request('/system/v1.0/testconnection', { headers: { authorization: wrong } });
  assert.equal(tested.status, 401);
  const limited = await post(app, DOC_MULTI_LEVEL);
  assert.ok(Number(limited.headers.get('retry-after')) >= 1);
  assert.deepEqual(await refusal(limited), { status: 429, type: XML, code: 'rate_limited' });
  const testConnection = await app.request('/system/v1.0/testconnection', {
    headers: { authorization: basic(CREDENTIALS) },
  });
  assert.equal(testConnection.status, 429);
});

test("wrong pairs are counted per user name too: another company's wrong pair from Concur's address holds no one back", async () => {
  // Concur calls every customer's connector from a few shared addresses.
  const { app } = await withLists([LOCATION], { RATE_LIMIT_LAUNCH_FAILURES_PER_MINUTE: '3' });
  const others = basic({ username: 'another-company-user', password: 'its-old-password-1' });
  for (let i = 0; i < 3; i++) assert.equal((await post(app, DOC_MULTI_LEVEL, { authorization: others })).status, 401);
  assert.equal((await post(app, DOC_MULTI_LEVEL, { authorization: others })).status, 429);
  assert.equal((await post(app, DOC_MULTI_LEVEL)).status, 200, 'the right pair of another user name still answers');
});

describe('every refusal is a 400 in XML with a log line, never a 500', () => {
  const big = request({ query: 'a', 'config-options': 'x'.repeat(70 * 1024) });
  const streamed = () =>
    new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 70; i++) controller.enqueue(new TextEncoder().encode(' '.repeat(1024)));
        controller.close();
      },
    });
  const cases: [string, () => string | ReadableStream<Uint8Array>, string][] = [
    ['malformed XML', () => '<fetch-list-request><query>San*</fetch-list-request>', 'xml_invalid'],
    ['another root', () => '<list>x</list>', 'xml_invalid'],
    ['an XXE payload', () => XXE, 'xml_invalid'],
    ['a billion-laughs payload', () => BILLION_LAUGHS, 'xml_invalid'],
    ['an unknown list', () => search([], '*', 'TEXT', { 'list-name': 'Nope' }), 'list_unknown'],
    ['a request naming no list when two are mapped', () => search([], '*'), 'list_unknown'],
    [
      'a level the list does not have',
      () => search(['P100', 'T110'], '*', 'TEXT', { 'list-name': 'Project / Task' }),
      'list_unknown',
    ],
    ['search-by FUZZY', () => search([], '*', 'FUZZY', { 'list-name': 'Location' }), 'search_by_unsupported'],
    ['code-by-level with a gap', () => request({ 'code-by-level': '<level2>W</level2>' }), 'invalid_request'],
    ['a body over 64 KB', () => big, 'body_too_large'],
    ['a streamed body over 64 KB', streamed, 'body_too_large'],
  ];
  for (const [name, body, code] of cases) {
    test(`${name}: ${code}`, async () => {
      const { app, logs } = await withLists([LOCATION, PROJECT_TASK]);
      const res = await post(app, body());
      assert.deepEqual(await refusal(res), { status: 400, type: XML, code });
      assert.ok(
        logs.some((l) => (JSON.parse(l) as { errorCode?: string }).errorCode === code),
        `a log line with errorCode ${code}`,
      );
      // The server goes on answering.
      const next = await post(app, search([], '*', 'CODE', { 'list-name': 'Location' }));
      assert.equal(next.status, 200);
    });
  }

  test('a company that maps no list: list_unknown', async () => {
    const { app } = await makeApp({ connected: false });
    assert.deepEqual(await refusal(await post(app, DOC_MULTI_LEVEL)), { status: 400, type: XML, code: 'list_unknown' });
  });
});

test('GET on the endpoint with the pair is 200, as Test Connection may call it (protocol sheet §3)', async () => {
  const { app } = await withLists([LOCATION]);
  const ok = await app.request(DEFAULT_FETCH_LIST_PATH, { headers: { authorization: basic(CREDENTIALS) } });
  assert.equal(ok.status, 200);
  assert.equal((await app.request(DEFAULT_FETCH_LIST_PATH)).status, 401);
});

test("a registered company's lists, at the path its fields configure; another company's pair is not answered there", async () => {
  const { app, deps } = await makeApp({ connected: false });
  const acme = await addCompany(deps, 'lists.example', 'Lists Inc');
  await setCatalog(deps, 'lists.example', { format: 'csv', text: 'code,label\nCC100,Sales\nCC200,Marketing\n' });
  await setFields(
    deps,
    'lists.example',
    JSON.stringify({
      sources: { costCentres: { type: 'catalog' } },
      fetchList: { path: '/erp/concur-lists', lists: [{ name: 'Cost centre', source: 'costCentres' }] },
    }),
  );
  await deps.registry.refresh();
  const pair = basic({ username: acme.connectorUsername, password: acme.connectorPassword });
  const res = await post(app, search([], 'market'), { path: '/erp/concur-lists', authorization: pair });
  assert.equal(res.status, 200);
  assert.deepEqual(
    items(await res.text()).map((i) => i.code),
    ['CC200'],
  );
  assert.deepEqual(await refusal(await post(app, search([], '*'), { authorization: pair })), {
    status: 404,
    type: XML,
    code: 'not_found',
  });
  const own = await post(app, search([], '*'), { path: '/erp/concur-lists' });
  assert.equal(own.status, 404, "the configuration's own company answers at the default path");
  assert.equal((await post(app, search([], '*'), { path: '/erp/concur-lists', authorization: null })).status, 401);
  const elsewhere = await post(app, search([], '*'), { path: '/erp/other', authorization: pair });
  assert.equal(elsewhere.status, 404);
  assert.notEqual(elsewhere.headers.get('content-type'), XML, 'a path no company configured is not a callout');
});
