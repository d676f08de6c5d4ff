// The Concur lists a catalog answers: the items of each level of a connected list (one catalog for four levels, or a
// catalog per level), TEXT searches through the popup's own search, CODE searches with Concur's wildcards, the cap,
// the rows left out (a hyphen in the code, reported with its line; a filter that needs no launch), and finding the
// list a request names.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { ConcurList, FetchLists, codeMatcher, type ListSource } from '../../../server/fetch-list/lists.ts';
import { FetchListConfig } from '../../../server/fetch-list/config.ts';
import { readFetchListRequest } from '../../../server/fetch-list/request.ts';
import { CatalogFile, loadCatalogText } from '../../../server/sources/catalog.ts';
import { createLogger } from '../../../server/logger.ts';
import { FetchListRefused } from '../../../server/errors.ts';
import type { FilterRule } from '../../../server/sources/context-filter.ts';
import { DOC_MULTI_LEVEL, GEO_CSV, PROJECTS_CSV, TASKS_CSV, files, search } from './fixtures.ts';

for (const [query, code, matches] of [
  ['*', 'ANYTHING', true],
  ['', 'ANYTHING', true],
  ['SF*', 'SFO', true],
  ['SF*', 'XSF', false],
  ['*SF', 'XSF', true],
  ['*SF', 'SFX', false],
  ['*F*', 'XFX', true],
  ['S*O', 'SFO', true],
  ['S*O', 'SO', true],
  ['S*O', 'SFOX', false],
  ['SO*O', 'SO', false],
  ['sf', 'SFO', true],
  ['SF', 'XSF', false],
  ['**', 'X', true],
] as const) {
  test(`CODE query ${JSON.stringify(query)} ${matches ? 'matches' : 'does not match'} ${code}`, () => {
    assert.equal(codeMatcher(query)(code), matches);
  });
}

function logged() {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger('debug', {
    write: (l: string) => void lines.push(JSON.parse(l) as Record<string, unknown>),
  });
  return { logger, lines };
}

async function geoList() {
  const catalog = await loadCatalogText(GEO_CSV, 'csv');
  const mapping = FetchListConfig.parse({
    lists: [
      {
        name: 'Location',
        source: 'geo',
        levels: { 2: { parent: 'country' }, 3: { parent: 'region' }, 4: { parent: 'state' } },
      },
    ],
  }).lists[0]!;
  return new ConcurList(mapping, () => ({ catalog, filters: [] }), logged().logger);
}

const codes = (list: ConcurList, xml: string) => list.search(readFetchListRequest(xml)).map((i) => i.code);

test("the documentation's multi-level example: the cities of US-W-CA starting with San, codes under the long code", async () => {
  const found = (await geoList()).search(readFetchListRequest(DOC_MULTI_LEVEL));
  assert.deepEqual(found.map((i) => i.code).sort(), ['US-W-CA-SD', 'US-W-CA-SF', 'US-W-CA-SJ']);
  assert.deepEqual(
    found.find((i) => i.shortCode === 'SF'),
    { code: 'US-W-CA-SF', shortCode: 'SF', text: 'San Francisco', matchValue: 'San Francisco' },
  );
});

test('one catalog for four levels: each level lists only its items, below the parents the request names', async () => {
  const list = await geoList();
  assert.deepEqual(codes(list, search([], '*')), ['DE', 'US']);
  assert.deepEqual(codes(list, search(['US'], '*')), ['US-E', 'US-W']);
  assert.deepEqual(codes(list, search(['DE'], '*')), ['DE-S']);
  assert.deepEqual(codes(list, search(['US', 'W'], '*')), ['US-W-CA', 'US-W-OR']);
  assert.deepEqual(codes(list, search(['US', 'W', 'OR'], '*')), ['US-W-OR-PO', 'US-W-OR-SA']);
  assert.deepEqual(codes(list, search(['US', 'W', 'XX'], '*')), [], 'a parent with no children has none');
});

test('TEXT is the popup search: ranked and typo-tolerant, wildcards read as spaces, * alone lists the level', async () => {
  const list = await geoList();
  assert.equal(codes(list, search(['US', 'W', 'CA'], 'Fransisco'))[0], 'US-W-CA-SF');
  assert.equal(codes(list, search(['US', 'W', 'CA'], '*angeles'))[0], 'US-W-CA-LA');
  assert.deepEqual(codes(list, search(['US', 'W', 'CA'], 'Portland')), [], 'Portland is in Oregon');
  assert.deepEqual(codes(list, search([], 'germny')), ['DE']);
});

test('CODE matches short codes with Concur wildcards, in code order; match-value is the short code', async () => {
  const list = await geoList();
  const under = ['US', 'W', 'CA'];
  assert.deepEqual(codes(list, search(under, 'S*', 'CODE')), ['US-W-CA-SD', 'US-W-CA-SF', 'US-W-CA-SJ']);
  assert.deepEqual(codes(list, search(under, 's', 'CODE')), ['US-W-CA-SD', 'US-W-CA-SF', 'US-W-CA-SJ']);
  assert.deepEqual(codes(list, search(under, '*F', 'CODE')), ['US-W-CA-SF']);
  assert.deepEqual(codes(list, search(under, '*', 'CODE')), ['US-W-CA-LA', 'US-W-CA-SD', 'US-W-CA-SF', 'US-W-CA-SJ']);
  assert.deepEqual(codes(list, search(under, 'San*', 'CODE')), [], 'CODE does not read the text');
  const [sf] = list.search(readFetchListRequest(search(under, 'SF', 'CODE')));
  assert.deepEqual(sf, { code: 'US-W-CA-SF', shortCode: 'SF', text: 'San Francisco', matchValue: 'SF' });
});

test('a level the mapping does not have is refused: list_unknown', async () => {
  const list = await geoList();
  assert.throws(
    () => codes(list, search(['US', 'W', 'CA', 'SF'], '*')),
    (e: unknown) => e instanceof FetchListRefused && e.code === 'list_unknown' && e.message.includes('4 level'),
  );
});

/** A list of projects and their tasks, each from a catalog of its own; the projects' source has these filters. */
async function projectTasks(filters: FilterRule[] = []) {
  const { logger, lines } = logged();
  const sources: Record<string, ListSource> = {
    projects: { catalog: await loadCatalogText(PROJECTS_CSV, 'csv'), filters },
    tasks: { catalog: await loadCatalogText(TASKS_CSV, 'csv'), filters: [] },
  };
  const mapping = FetchListConfig.parse({
    lists: [{ name: 'Project / Task', source: 'projects', levels: { 2: { parent: 'project', source: 'tasks' } } }],
  }).lists[0]!;
  return { list: new ConcurList(mapping, (name) => sources[name]!, logger), lines };
}

test('a catalog per level: the tasks of the project picked, each coded project-task', async () => {
  const { list } = await projectTasks();
  assert.deepEqual(codes(list, search(['P100'], '*')), ['P100-T110', 'P100-T120', 'P100-T130']);
  assert.deepEqual(codes(list, search(['p200'], 'creative')), ['p200-T220'], 'parents compare without case');
  assert.deepEqual(codes(list, search([], 'T1*', 'CODE')), [], 'tasks are no items of level 1');
});

test('a code with a hyphen is refused at load, with its line, and is no item; the popup still has the row', async () => {
  const { list, lines } = await projectTasks();
  const warning = lines.find((l) => l.code === 'P-500');
  assert.equal(warning?.line, 6);
  assert.equal(warning?.source, 'projects');
  assert.match(String(warning?.msg), /hyphen/);
  assert.ok(!codes(list, search([], '*')).includes('P-500'));
  assert.deepEqual(codes(list, search([], 'hyphenated')), []);
});

test('a filter that needs no launch leaves rows out; one that needs a launch ({employeeId}, {date}) does not apply', async () => {
  const open: FilterRule = { column: 'status', equals: 'open', otherwise: 'inactive', reason: 'closed' };
  const mine: FilterRule = { column: 'label', equals: '{employeeId}', otherwise: 'hide', reason: '' };
  const { list } = await projectTasks([open, mine]);
  assert.deepEqual(codes(list, search([], '*')), ['P100', 'P200', 'P300']);
  assert.deepEqual(codes(list, search([], 'archive')), [], 'the closed project is left out of TEXT searches too');
});

test('at most num-to-return items, and never more than 100', async () => {
  const rows = Array.from({ length: 150 }, (_, i) => `C${1000 + i},Cost centre ${i}`).join('\n');
  const catalog = await loadCatalogText(`code,label\n${rows}\n`, 'csv');
  const mapping = FetchListConfig.parse({ lists: [{ name: 'Cost centre', source: 'cc' }] }).lists[0]!;
  const list = new ConcurList(mapping, () => ({ catalog, filters: [] }), logged().logger);
  for (const [limit, count] of [
    ['5', 5],
    ['100', 100],
    ['1000', 100],
  ] as const) {
    assert.equal(codes(list, search([], '*', 'TEXT', { 'num-to-return': limit })).length, count);
    assert.equal(codes(list, search([], 'cost', 'TEXT', { 'num-to-return': limit })).length, count);
    assert.equal(codes(list, search([], 'C*', 'CODE', { 'num-to-return': limit })).length, count);
  }
});

test('a catalog file changed on disk is answered as it is now', async () => {
  const { 'cc.csv': path } = files({ 'cc.csv': 'code,label\nC1,Sales\n' });
  const file = await CatalogFile.open(path!, logged().logger);
  const mapping = FetchListConfig.parse({ lists: [{ name: 'Cost centre', source: 'cc' }] }).lists[0]!;
  const list = new ConcurList(mapping, () => ({ catalog: file, filters: [] }), logged().logger);
  assert.deepEqual(codes(list, search([], '*', 'CODE')), ['C1']);
  writeFileSync(path!, 'code,label\nC1,Sales\nC2,Marketing\n');
  assert.ok(await file.reload());
  assert.deepEqual(codes(list, search([], '*', 'CODE')), ['C1', 'C2']);
});

test('the list a request names: by name without regard to case, by id with or without hyphens', async () => {
  const catalog = await loadCatalogText('code,label\nA,Alpha\n', 'csv');
  const config = FetchListConfig.parse({
    lists: [
      { name: 'Cost centre', source: 'cc' },
      { id: 'B7C1D2E3-F405-4A6B-9C8D-0E1F2A3B4C5D', source: 'cc' },
    ],
  });
  const lists = new FetchLists(config, () => ({ catalog, filters: [] }), logged().logger);
  assert.equal(lists.find('cost  CENTRE', '').name, 'Cost centre');
  assert.equal(lists.find('', 'b7c1d2e3f4054a6b9c8d0e1f2a3b4c5d').id, config.lists[1]!.id);
  assert.equal(lists.find('b7c1d2e3-f405-4a6b-9c8d-0e1f2a3b4c5d', '').id, config.lists[1]!.id);
  for (const [name, key] of [
    ['Projects', ''],
    ['', ''],
  ])
    assert.throws(
      () => lists.find(name!, key!),
      (e: unknown) => e instanceof FetchListRefused && e.code === 'list_unknown',
    );
  const one = new FetchLists(
    FetchListConfig.parse({ lists: [config.lists[0]] }),
    () => ({ catalog, filters: [] }),
    logged().logger,
  );
  assert.equal(one.find('', '').name, 'Cost centre', "a request naming no list gets the company's only one");
});
