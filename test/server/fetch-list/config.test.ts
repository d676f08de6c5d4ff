// The fields configuration's fetchList: what a mapping may say, and each mistake refused with its path in the file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFieldsFile } from '../../../server/fields/fields.ts';
import { parseCompanyFields } from '../../../server/companies/company.ts';
import { DEFAULT_FETCH_LIST_PATH, configuredPath } from '../../../server/fetch-list/config.ts';
import { fieldsFile } from '../helpers.ts';

const sources = {
  projects: { type: 'catalog' },
  tasks: { type: 'catalog', file: 'tasks.csv' },
  api: { type: 'http', url: 'https://erp.example.com/search?q={query}', map: { code: 'id', label: 'name' } },
};
const withFetchList = (fetchList: unknown) => ({ sources, fetchList });

test('a connected list: the path defaults to the documented one; levels name parent columns', async () => {
  const file = await readFieldsFile(
    fieldsFile(
      withFetchList({
        lists: [{ name: 'Project / Task', source: 'projects', levels: { 2: { parent: 'project', source: 'tasks' } } }],
      }),
    ),
  );
  assert.equal(file.fetchList?.path, DEFAULT_FETCH_LIST_PATH);
  assert.deepEqual(file.fetchList?.lists[0]?.levels, { 2: { parent: 'project', source: 'tasks' } });
});

for (const [name, fetchList, message] of [
  ['no list', { lists: [] }, /fetchList\.lists: map at least one list/],
  [
    'a list with neither name nor id',
    { lists: [{ source: 'projects' }] },
    /fetchList\.lists\.0: give the list its name/,
  ],
  [
    'an undefined source',
    { lists: [{ name: 'A', source: 'nope' }] },
    /fetchList\.lists\.0\.source: names the source "nope", which is not defined/,
  ],
  [
    'a source that is no catalog',
    { lists: [{ name: 'A', source: 'api' }] },
    /fetchList\.lists\.0\.source: .*a http source/,
  ],
  [
    "a level's source that is no catalog",
    { lists: [{ name: 'A', source: 'projects', levels: { 2: { parent: 'p', source: 'api' } } }] },
    /fetchList\.lists\.0\.levels\.2\.source/,
  ],
  [
    'a level 1 with a parent',
    { lists: [{ name: 'A', source: 'projects', levels: { 1: { parent: 'p' } } }] },
    /numbered from 2/,
  ],
  [
    'a gap in the levels',
    { lists: [{ name: 'A', source: 'projects', levels: { 3: { parent: 'p' } } }] },
    /without a gap/,
  ],
  [
    'a level without its parent column',
    { lists: [{ name: 'A', source: 'projects', levels: { 2: {} } }] },
    /levels\.2\.parent/,
  ],
  [
    'two levels of one catalog with one parent column',
    { lists: [{ name: 'A', source: 'projects', levels: { 2: { parent: 'p' }, 3: { parent: 'p' } } }] },
    /levels 2 and 3 read the same catalog/,
  ],
  [
    'two lists with one name',
    {
      lists: [
        { name: 'Projects', source: 'projects' },
        { name: 'projects', source: 'tasks' },
      ],
    },
    /fetchList\.lists\.1: another list already has the name "projects"/,
  ],
  [
    'two lists with one id',
    {
      lists: [
        { id: 'AB-CD', source: 'projects' },
        { id: 'abcd', source: 'tasks' },
      ],
    },
    /already has the id "abcd"/,
  ],
  [
    'a relative path',
    { path: 'concur/list', lists: [{ name: 'A', source: 'projects' }] },
    /fetchList\.path: path is an absolute path/,
  ],
  ['a path with a query', { path: '/fetch?x=1', lists: [{ name: 'A', source: 'projects' }] }, /fetchList\.path/],
  [
    'a path the connector serves',
    { path: '/api/lists', lists: [{ name: 'A', source: 'projects' }] },
    /one the connector serves itself/,
  ],
  ['an unknown key', { lists: [{ name: 'A', source: 'projects' }], list: 'x' }, /fetchList/],
] as const) {
  test(`fetchList with ${name} is refused, naming where`, async () => {
    await assert.rejects(readFieldsFile(fieldsFile(withFetchList(fetchList))), message);
    assert.throws(() => parseCompanyFields(withFetchList(fetchList)), message);
  });
}

test("a registered company's path is read from its raw fields, the documented one when it sets none", () => {
  assert.equal(configuredPath({ fetchList: { path: '/erp/lists' } }), '/erp/lists');
  assert.equal(configuredPath({ fetchList: { lists: [] } }), DEFAULT_FETCH_LIST_PATH);
  assert.equal(configuredPath(undefined), DEFAULT_FETCH_LIST_PATH);
});
