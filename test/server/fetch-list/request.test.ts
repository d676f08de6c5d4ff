// Reading Concur's <fetch-list-request>: the documentation's own examples, what each element becomes, and every
// document that is refused (a DTD, so no XXE and no entity expansion; malformed XML; another root; a repeated element).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFetchListRequest, type FetchListRequest } from '../../../server/fetch-list/request.ts';
import { FetchListRefused } from '../../../server/errors.ts';
import { BILLION_LAUGHS, DOC_MULTI_LEVEL, DOC_SINGLE_LEVEL, XXE, request } from './fixtures.ts';

test("the documentation's single-level example: a top-level TEXT search for Alph*, 80 items", () => {
  assert.deepEqual(readFetchListRequest(DOC_SINGLE_LEVEL), {
    listName: '',
    listKey: '',
    parents: [],
    longCode: '',
    query: 'Alph*',
    searchBy: 'TEXT',
    language: 'EN',
    limit: 80,
  } satisfies FetchListRequest);
});

test("the documentation's multi-level example: the cities under US-W-CA, its parents from code-by-level", () => {
  const r = readFetchListRequest(DOC_MULTI_LEVEL);
  assert.deepEqual(r.parents, ['US', 'W', 'CA']);
  assert.equal(r.longCode, 'US-W-CA');
  assert.equal(r.query, 'San*');
});

test('without code-by-level, the parents are read from the long code', () => {
  const r = readFetchListRequest(request({ 'long-code': 'P1-T2', 'short-code': 'T2' }));
  assert.deepEqual(r.parents, ['P1', 'T2']);
});

test('values stay text as written: a code 010 is not the number 10, references are decoded, CDATA is kept as is', () => {
  const r = readFetchListRequest(
    request({ query: 'R&amp;D &#233;t&#xE9; &lt;x&gt; &unknown;', 'code-by-level': '<level1>010</level1>' }),
  );
  assert.equal(r.query, 'R&D été <x> &unknown;');
  assert.deepEqual(r.parents, ['010']);
  assert.equal(readFetchListRequest(request({ query: '<![CDATA[a&amp;b]]>' })).query, 'a&amp;b');
});

for (const [given, limit] of [
  ['80', 80],
  ['100', 100],
  ['101', 100],
  ['5000', 100],
  ['1', 1],
  ['0', 100],
  ['-3', 100],
  ['ten', 100],
  ['', 100],
  [undefined, 100],
] as const) {
  test(`num-to-return ${given === undefined ? 'missing' : JSON.stringify(given)} returns at most ${limit}`, () => {
    assert.equal(readFetchListRequest(request({ 'num-to-return': given })).limit, limit);
  });
}

for (const [given, searchBy] of [
  ['TEXT', 'TEXT'],
  ['CODE', 'CODE'],
  ['code', 'CODE'],
  ['', 'TEXT'],
  [undefined, 'TEXT'],
] as const) {
  test(`search-by ${given === undefined ? 'missing' : JSON.stringify(given)} searches by ${searchBy}`, () => {
    assert.equal(readFetchListRequest(request({ 'search-by': given })).searchBy, searchBy);
  });
}

const refusals: [string, string, FetchListRefused['code']][] = [
  ['an XXE payload (an external entity)', XXE, 'xml_invalid'],
  ['a billion-laughs payload (nested entities)', BILLION_LAUGHS, 'xml_invalid'],
  ['a DTD without entities', `<!DOCTYPE fetch-list-request>${request({})}`, 'xml_invalid'],
  ['malformed XML', '<fetch-list-request><query>a</fetch-list-request>', 'xml_invalid'],
  ['text that is no XML', 'query=abc', 'xml_invalid'],
  ['an empty body', '', 'xml_invalid'],
  ['another root', '<list-request><query>a</query></list-request>', 'xml_invalid'],
  ['two roots', `${request({})}<other/>`, 'xml_invalid'],
  ['search-by FUZZY', request({ 'search-by': 'FUZZY' }), 'search_by_unsupported'],
  [
    'a query given twice',
    '<fetch-list-request><query>a</query><query>b</query></fetch-list-request>',
    'invalid_request',
  ],
  [
    'a query with elements inside',
    '<fetch-list-request><query><b>a</b></query></fetch-list-request>',
    'invalid_request',
  ],
  ['a query of 201 characters', request({ query: 'a'.repeat(201) }), 'invalid_request'],
  ['code-by-level without level1', request({ 'code-by-level': '<level2>W</level2>' }), 'invalid_request'],
  ['code-by-level with an empty level', request({ 'code-by-level': '<level1/><level2>W</level2>' }), 'invalid_request'],
];
for (const [name, xml, code] of refusals) {
  test(`${name} is refused: ${code}`, () => {
    assert.throws(
      () => readFetchListRequest(xml),
      (e: unknown) => e instanceof FetchListRefused && e.code === code && e.status === 400,
    );
  });
}
