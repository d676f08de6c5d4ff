// Rules of the data sources as the popup uses them: filter precedence, facts before commit, list membership, the
// customer API's request hardening, the gone v1 path, strict catalog cells, the code fast path, and folding.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { http, HttpResponse } from 'msw';
import { CONCUR, bearer, launchSession, makeApp, useFakeConcur, postCommit } from '../helpers.ts';
import { judge } from '../../../server/sources/context-filter.ts';
import { readFieldsFile } from '../../../server/fields/fields.ts';
import { Catalog, loadCatalogFile } from '../../../server/sources/catalog.ts';
import { SearchIndex } from '../../../server/sources/search-index.ts';
import { SAMPLE_CATALOG } from '../../../server/config.ts';
import { SANDBOX_LIST } from '../../../server/sandbox/concur-state.ts';
import type { ErrorBody } from '../../../src/contract/api.ts';

const { msw, concur } = useFakeConcur();
const dir = mkdtempSync(join(tmpdir(), 'source-rules-'));
let n = 0;
const file = (content: string | object, ext = 'json') => {
  const path = join(dir, `f${n++}.${ext}`);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
};
const commit = (app: Awaited<ReturnType<typeof makeApp>>['app'], token: string, code: string) =>
  postCommit(app, token, { code });
const ctx = {
  fieldId: 'f',
  companyDomain: 'acme.com',
  loggedInUserId: 'u',
  reportOwnerUserId: 'u',
  employeeId: 'e',
  date: '2026-11-12',
  languageCode: 'en',
};

test('a failed hide rule hides the row even after a failed grey-out rule', () => {
  const row = { code: 'P', label: 'x', attributes: { valid_to: '2020-01-01', company: 'other.com' } };
  const filters = [
    { column: 'valid_to', onOrAfter: '{date}', otherwise: 'inactive' as const, reason: 'closed on {value}' },
    { column: 'company', equals: '{companyDomain}', otherwise: 'hide' as const, reason: 'x' },
  ];
  assert.deepEqual(judge(row, filters, ctx), { hidden: true });
  assert.deepEqual(judge({ ...row, attributes: { ...row.attributes, company: 'acme.com' } }, filters, ctx), {
    hidden: false,
    inactive: 'closed on 2020-01-01',
  });
});

test('a commit straight after the launch is judged with the expense date, as if the popup had read it', async () => {
  const fields = {
    sources: {
      p: {
        type: 'catalog',
        file: SAMPLE_CATALOG,
        filters: [{ column: 'valid_to', onOrAfter: '{date}', reason: 'closed on {value}' }],
      },
    },
    fields: { custom5: 'p', custom9: 'p', custom12: 'p' },
  };
  const { app } = await makeApp({ env: { FIELDS_FILE: file(fields) } });
  const token = await launchSession(app, concur());
  const res = await commit(app, token, 'PRJ-1013');
  assert.equal(res.status, 422);
  assert.match(((await res.json()) as ErrorBody).error.message, /closed on 2026-06-30/);
});

describe('Concur list commits', () => {
  test('an item of another list, or one with a further level, is refused', async () => {
    const { app } = await makeApp({
      env: {
        FIELDS_FILE: file({
          sources: { c: { type: 'concur-list', listId: SANDBOX_LIST.id } },
          fields: { custom5: 'c', custom9: 'c', custom12: 'c' },
        }),
      },
    });
    const token = await launchSession(app, concur());
    msw.use(
      http.get(`${CONCUR}/list/v4/items/foreign-item`, () =>
        HttpResponse.json({
          id: 'foreign-item',
          shortCode: 'X',
          value: 'Other list',
          lists: [{ id: 'another-list', hasChildren: false }],
        }),
      ),
    );
    assert.equal((await commit(app, token, 'foreign-item')).status, 422);
    const europe = [...concur().listItems.values()].find((i) => i.shortCode === 'EU')!;
    const res = await commit(app, token, europe.id);
    assert.equal(res.status, 422);
    assert.match(((await res.json()) as ErrorBody).error.message, /next level/);
  });
});

describe("the customer's API requests", () => {
  const http_ = (over: object) => ({
    sources: {
      erp: { type: 'http', url: 'https://erp.example.com/api?q={query}', map: { code: 'id', label: 'n' }, ...over },
    },
  });
  for (const [name, over, message] of [
    [
      'plain http to a non-loopback host',
      { url: 'http://erp.example.com/api?q={query}' },
      /sources\.erp\.url: must start with https:\/\//,
    ],
    [
      'a placeholder in the host',
      { url: 'https://api.example.com{query}/x' },
      /sources\.erp\.url: must name its host and start its path before any \{placeholder\}/,
    ],
    [
      'server paging without a total',
      { url: 'https://erp.example.com/api?q={query}&skip={offset}' },
      /sources\.erp\.total: is needed when url pages/,
    ],
  ] as const) {
    test(`refuses ${name}`, async () => {
      await assert.rejects(readFieldsFile(file(http_(over))), (e: Error) => message.test(e.message));
    });
  }

  test('a header naming an unset environment variable stops the start', async () => {
    await assert.rejects(
      makeApp({ env: { FIELDS_FILE: file(http_({ headers: { 'X-Api-Key': '${NOT_SET_ANYWHERE}' } })) } }),
      new RegExp(
        '^ConfigError: FIELDS_FILE: the header X-Api-Key of the list of values names the environment variable ' +
          'NOT_SET_ANYWHERE, which is not set',
      ),
    );
  });

  test('a redirect is not followed, so the secret header stays with the configured host', async () => {
    let elsewhere = 0;
    msw.use(
      http.get(
        'https://erp.example.com/api',
        () => new HttpResponse(null, { status: 302, headers: { location: 'https://elsewhere.example.net/steal' } }),
      ),
      http.get('https://elsewhere.example.net/*', () => {
        elsewhere += 1;
        return HttpResponse.json([]);
      }),
    );
    const { app } = await makeApp({
      env: {
        FIELDS_FILE: file({
          ...http_({ headers: { 'X-Api-Key': '${ERP_KEY}' } }),
          fields: { custom5: 'erp', custom9: 'erp', custom12: 'erp' },
        }),
        ERP_KEY: 'k-123',
      },
    });
    const token = await launchSession(app, concur());
    const res = await app.request('/api/search?q=x', { headers: bearer(token) });
    assert.equal(res.status, 503);
    assert.equal(elsewhere, 0);
  });

  test('a query cannot climb out of the configured path', async () => {
    const seen: string[] = [];
    msw.use(
      http.get('https://erp.example.com/*', ({ request }) => {
        seen.push(new URL(request.url).pathname);
        return HttpResponse.json([]);
      }),
    );
    const { app } = await makeApp({
      env: {
        FIELDS_FILE: file({
          sources: {
            erp: { type: 'http', url: 'https://erp.example.com/api/items/{query}', map: { code: 'id', label: 'n' } },
          },
          fields: { custom5: 'erp', custom9: 'erp', custom12: 'erp' },
        }),
      },
    });
    const token = await launchSession(app, concur());
    for (const q of ['..', '../admin', 'a/b?c#d'])
      await app.request(`/api/search?q=${encodeURIComponent(q)}`, { headers: bearer(token) });
    assert.ok(
      seen.every((p) => p.startsWith('/api/items/') && !p.includes('/admin')),
      JSON.stringify(seen),
    );
  });
});

test('the old v1 launch path answers 410 with a page that says to set the Service Version to V4', async () => {
  const { app } = await makeApp();
  const res = await app.request(
    '/concur/form/v1.0/get?xcompanydomain=acme.com&xuserid=jane&itemurl=x&nonce=n&signature=s',
  );
  assert.equal(res.status, 410);
  const page = await res.text();
  assert.match(page, /Launch External URL v1, which Concur shut down on 23 June 2026/);
  assert.match(page, /Service Version to V4/);
  const json = await app.request('/concur/form/v1.0/get', { headers: { accept: 'application/json' } });
  assert.equal(((await json.json()) as { error: { code: string } }).error.code, 'launch_v1_gone');
});

test('catalog cells that are not text (null, objects) make the row malformed, reported by line', async () => {
  const catalog = await loadCatalogFile(
    file([
      { code: 'A', label: 'ok' },
      { code: null, label: 'x' },
      { code: 'B', label: { a: 1 } },
      { code: 42, label: 'number code' },
    ]),
  );
  assert.deepEqual(
    catalog.problems.map((p) => p.line),
    [2, 3],
  );
  assert.equal(catalog.byCode('42')?.label, 'number code');
});

describe('search', () => {
  const catalog = new Catalog([
    { code: 'PRJ-2024', label: 'Budget review' },
    { code: 'FIN-7', label: 'Budget 2024 plan' },
    { code: 'X-1', label: 'Zu\u0308rich office' },
    { code: 'X-2', label: 'Hauptstraße depot' },
  ]);
  test('a number alone also finds it in labels', () => {
    assert.deepEqual(
      catalog
        .search('2024', { limit: 5 })
        .items.map((i) => i.code)
        .sort(),
      ['FIN-7', 'PRJ-2024'],
    );
  });
  test('when a filter hides every code a code-like query starts, the labels are still searched', () => {
    const idx = new SearchIndex([
      { code: 'prj-1', label: 'Hidden' },
      { code: 'z-9', label: 'About prj-1 migration' },
    ]);
    const page = idx.search('prj-1', 0, 5, (r) => r.code !== 'prj-1');
    assert.deepEqual(
      page.hits.map((h) => idx.rows[h.index]!.code),
      ['z-9'],
    );
  });
  test('decomposed accents (as macOS writes them) and ß fold like their plain letters', () => {
    assert.equal(catalog.search('zurich', { limit: 5 }).items[0]?.code, 'X-1');
    assert.equal(catalog.search('zürich', { limit: 5 }).items[0]?.code, 'X-1');
    assert.equal(catalog.search('hauptstrasse', { limit: 5 }).items[0]?.code, 'X-2');
  });
});
