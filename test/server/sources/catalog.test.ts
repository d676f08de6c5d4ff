// The catalog file source: CSV and JSON, bad rows reported by line, and forgiving search.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCatalogFile } from '../../../server/sources/catalog.js';
import { SAMPLE_CATALOG } from '../../../server/config.js';

const dir = mkdtempSync(join(tmpdir(), 'catalog-'));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

test('CSV rows that fail validation are skipped and reported by line number', async () => {
  const path = file('bad.csv', [
    'code,label,detail',
    'PRJ-1,Good one,Berlin',
    ',No code here,',
    `${'X'.repeat(49)},Too long a code,`,
    'PRJ-1,Duplicate,',
    '"PRJ-2","Quoted, with comma",Paris',
  ].join('\n'));
  const catalog = await loadCatalogFile(path);
  assert.equal(catalog.size, 2);
  assert.deepEqual(catalog.problems.map((p) => p.line), [3, 4, 5]);
  assert.match(catalog.problems[1]!.message, /longer than 48/);
  assert.equal(catalog.byCode('PRJ-2')?.label, 'Quoted, with comma');
});

test('a JSON catalog is an array of {code, label}', async () => {
  const catalog = await loadCatalogFile(file('c.json', JSON.stringify([{ code: 'A-1', label: 'Alpha' }, { label: 'no code' }])));
  assert.equal(catalog.size, 1);
  assert.deepEqual(catalog.problems.map((p) => p.line), [2]);
});

test('a CSV without code and label columns is refused as a whole', async () => {
  await assert.rejects(loadCatalogFile(file('h.csv', 'id,name\n1,x\n')), /CATALOG_FILE|header row naming the columns code and label/);
});

test('the sample catalog loads cleanly and search forgives accents, case and typos', async () => {
  const catalog = await loadCatalogFile(SAMPLE_CATALOG);
  assert.ok(catalog.size >= 60);
  assert.deepEqual(catalog.problems, []);
  const first = (q: string) => catalog.search(q, { limit: 5 }).items[0]?.code;
  assert.equal(first('sao paulo retail'), 'PRJ-1009');
  assert.equal(first('ZURICH DATA'), 'PRJ-1011');
  assert.equal(first('frankfrut office'), 'PRJ-1042');
  assert.equal(first('prj-104'), 'PRJ-1040');
  assert.equal(catalog.search('', { limit: 10 }).items.length, 10);
  assert.equal(catalog.search('', { limit: 10 }).total, catalog.size);
});
