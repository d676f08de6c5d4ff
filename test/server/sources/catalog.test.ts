// The catalog file source: CSV and JSON, bad rows reported by line, and forgiving search.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CatalogFile, loadCatalogFile } from '../../../server/sources/catalog.ts';
import { SAMPLE_CATALOG } from '../../../server/config.ts';

const dir = mkdtempSync(join(tmpdir(), 'catalog-'));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

test('CSV rows that fail validation are skipped and reported by line number', async () => {
  const path = file(
    'bad.csv',
    [
      'code,label,detail',
      'PRJ-1,Good one,Berlin',
      ',No code here,',
      `${'X'.repeat(49)},Too long a code,`,
      'PRJ-1,Duplicate,',
      '"PRJ-2","Quoted, with comma",Paris',
    ].join('\n'),
  );
  const catalog = await loadCatalogFile(path);
  assert.equal(catalog.size, 2);
  assert.deepEqual(
    catalog.problems.map((p) => p.line),
    [3, 4, 5],
  );
  assert.match(catalog.problems[1]!.message, /longer than 48/);
  assert.equal(catalog.byCode('PRJ-2')?.label, 'Quoted, with comma');
});

test('a JSON catalog is an array of {code, label}', async () => {
  const catalog = await loadCatalogFile(
    file('c.json', JSON.stringify([{ code: 'A-1', label: 'Alpha' }, { label: 'no code' }])),
  );
  assert.equal(catalog.size, 1);
  assert.deepEqual(
    catalog.problems.map((p) => p.line),
    [2],
  );
});

test('a CSV without code and label columns is refused as a whole', async () => {
  await assert.rejects(
    loadCatalogFile(file('h.csv', 'id,name\n1,x\n')),
    /CATALOG_FILE|header row naming the columns code and label/,
  );
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

test('a catalog file is read again when it changes; an unreadable new version keeps the old one in service', async () => {
  const path = file('live.csv', 'code,label\nPRJ-1,First\n');
  const logged: string[] = [];
  const logger = {
    info: (_: object, m: string) => void logged.push(m),
    warn: (_: object, m: string) => void logged.push(m),
    error: (_: object, m: string) => void logged.push(m),
  };
  const catalog = await CatalogFile.open(path, logger);
  catalog.watch(50);
  try {
    assert.equal(catalog.byCode('PRJ-2'), undefined);
    await new Promise((r) => setTimeout(r, 200)); // the watcher's first look at the file
    writeFileSync(path, 'code,label\nPRJ-1,First\nPRJ-2,Second added later\n,broken row\n');
    for (let i = 0; i < 60 && !catalog.byCode('PRJ-2'); i++) await new Promise((r) => setTimeout(r, 50));
    assert.equal(catalog.byCode('PRJ-2')?.label, 'Second added later');
    assert.equal(catalog.search('second', { limit: 5 }).items[0]?.code, 'PRJ-2');
    assert.ok(logged.includes('catalog row skipped: code is empty'), 'the bad row is reported');
    writeFileSync(path, 'code,label\n"PRJ-3,unterminated\n');
    assert.equal(await catalog.reload(), false);
    assert.equal(catalog.size, 2, 'the previous catalog stays in service');
    assert.ok(logged.some((m) => m.includes('could not be read')));
  } finally {
    catalog.close();
  }
});

test('search pages through results, highlights what matched, and ranks codes that start with the query first', async () => {
  const catalog = await loadCatalogFile(SAMPLE_CATALOG);
  const all = catalog.search('', { limit: 100 }).items.map((i) => i.code);
  const pages = [0, 20, 40, 60].flatMap((offset) => catalog.search('', { offset, limit: 20 }).items.map((i) => i.code));
  assert.deepEqual(pages, all);
  const zurich = catalog.search('zurich', { limit: 5 }).items[0]!;
  assert.equal(zurich.code, 'PRJ-1011');
  assert.deepEqual(zurich.highlight?.label, [[0, 6]], '"Zürich" is marked in "Zürich data centre migration"');
  const typo = catalog.search('frankfrut', { limit: 5 }).items.find((i) => i.code === 'PRJ-1042')!;
  assert.deepEqual(typo.highlight?.label, [[12, 21]], 'a typo marks the whole word it matched');
  const code = catalog.search('prj-10', { limit: 3 });
  assert.deepEqual(
    code.items.map((i) => i.code),
    ['PRJ-1001', 'PRJ-1002', 'PRJ-1003'],
  );
  assert.deepEqual(code.items[0]!.highlight?.code, [[0, 6]]);
});
