// POST /sandbox/fetch-list: the simulated form's list field asks here, and the sandbox posts Concur's request to the
// connector's own Fetch List endpoint with the connector's pair. A real sandbox server, its example lists.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig, SANDBOX_DEFAULTS } from '../../../server/config.ts';
import { createLogger } from '../../../server/logger.ts';
import { startServer, type RunningServer } from '../../../server/serve.ts';
import { fetchListRequestXml } from '../../../server/routes/sandbox-fetch-list.ts';
import { readFetchListRequest } from '../../../server/fetch-list/request.ts';
import { tempDataDir } from '../../data-dir.ts';

let server: RunningServer;
before(async () => {
  server = await startServer((bound) => loadConfig({ PORT: '0', PUBLIC_URL: bound, DATA_DIR: tempDataDir() }), {
    port: 0,
    host: '127.0.0.1',
    logger: createLogger('silent'),
  });
});
after(() => server?.close());

const ask = (body: unknown) =>
  fetch(`${server.url}/sandbox/fetch-list`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify(body),
  });

test('the request it posts is the one Concur posts, and reads back as the search it stands for', () => {
  const xml = fetchListRequestXml({
    list: 'Project / Task',
    parents: ['P1', 'T&2'],
    query: 'a*',
    searchBy: 'CODE',
    limit: 9,
  });
  assert.match(xml, /<long-code>P1-T&amp;2<\/long-code><short-code>T&amp;2<\/short-code><query>a\*<\/query>/);
  assert.deepEqual(readFetchListRequest(xml), {
    listName: 'Project / Task',
    listKey: '',
    parents: ['P1', 'T&2'],
    longCode: 'P1-T&2',
    query: 'a*',
    searchBy: 'CODE',
    language: 'EN',
    limit: 9,
  });
});

test("the example list's projects, then one project's tasks, as the connector's XML", async () => {
  const projects = await ask({ list: 'Project / Task', query: 'frankfurt*' });
  assert.equal(projects.status, 200);
  assert.equal(projects.headers.get('content-type'), 'application/xml; charset=utf-8');
  const text = await projects.text();
  assert.match(text, /^<fetch-list-response><item><code>P1042<\/code><short-code>P1042<\/short-code>/);
  assert.ok(!text.includes(SANDBOX_DEFAULTS.connectorPassword));
  const tasks = await (await ask({ list: 'Project / Task', parents: ['P1042'], query: '*', searchBy: 'CODE' })).text();
  assert.deepEqual(
    [...tasks.matchAll(/<code>([^<]+)<\/code>/g)].map((m) => m[1]),
    ['P1042-FUR1042', 'P1042-PLN1042'],
  );
});

test("the connector's refusal comes back as it was; a malformed ask is the sandbox's own 400", async () => {
  const unknown = await ask({ list: 'No such list' });
  assert.equal(unknown.status, 400);
  assert.match(await unknown.text(), /^<error><code>list_unknown<\/code>/);
  const malformed = await ask({ list: 'Project / Task', searchBy: 'FUZZY' });
  assert.equal(malformed.status, 400);
  assert.equal(((await malformed.json()) as { error: { code: string } }).error.code, 'invalid_request');
});
