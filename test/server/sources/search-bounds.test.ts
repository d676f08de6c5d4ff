// The search index bounds the work of one query whatever it holds: hostile queries (200 × "ß", 100 one-letter
// words, long words, random letters) are searched as a few short terms, the typo walk spends a bounded budget, and
// the answers stay right. Facts only, no timings: bench/hostile-search.ts measures the time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Catalog, loadCatalogFile } from '../../../server/sources/catalog.ts';
import {
  MAX_TERMS,
  MAX_TERM_LENGTH,
  MAX_TYPO_TERMS,
  MAX_TYPO_TERM_LENGTH,
  MAX_POSTINGS,
  MAX_WALK_ROWS,
  MAX_WALK_WORDS,
  SearchIndex,
  planQuery,
} from '../../../server/sources/search-index.ts';
import { SAMPLE_CATALOG } from '../../../server/config.ts';
import { SearchResponse } from '../../../src/contract/api.ts';
import { generateCatalog, seeded } from '../../../bench/catalog-data.ts';

const letters = 'abcdefghijklmnopqrstuvwxyz';
const random = seeded(17);
const randomLetters = (n: number) => Array.from({ length: n }, () => letters[Math.floor(random.next() * 26)]).join('');

/** Queries of the most characters the API takes (200), each of a kind that once cost seconds or many passes. */
const HOSTILE: [string, string][] = [
  ['200 × ß (each folds to ss)', 'ß'.repeat(200)],
  ['200 × a', 'a'.repeat(200)],
  ['100 one-letter words', Array.from({ length: 100 }, (_, i) => letters[i % 26]).join(' ')],
  ['200 random letters', randomLetters(200)],
  ['ten long words that match nothing', Array.from({ length: 10 }, () => randomLetters(19)).join(' ')],
  ['fifty three-letter words', Array.from({ length: 50 }, () => randomLetters(3)).join(' ')],
  ['a code, then one-letter words', `PRJ-1 ${Array.from({ length: 97 }, (_, i) => letters[i % 26]).join(' ')}`],
  ['mixed', `Karoveria ${'ß'.repeat(40)} ${randomLetters(60)} a b c d e f ${'zü'.repeat(20)}`.slice(0, 200)],
];

const sample = await loadCatalogFile(SAMPLE_CATALOG);
const generated = generateCatalog(100_000);
const large = new Catalog(generated);
const catalogs: [string, Catalog][] = [
  ['the sample catalog', sample],
  ['100,000 generated rows', large],
];

test('the bounds are small enough to keep a query to milliseconds', () => {
  assert.ok(MAX_TERMS <= 32, `MAX_TERMS ${MAX_TERMS}`);
  assert.ok(MAX_TERM_LENGTH <= 32, `MAX_TERM_LENGTH ${MAX_TERM_LENGTH}`);
  assert.ok(MAX_TYPO_TERMS <= 6, `MAX_TYPO_TERMS ${MAX_TYPO_TERMS}`);
  assert.ok(MAX_TYPO_TERM_LENGTH <= 24, `MAX_TYPO_TERM_LENGTH ${MAX_TYPO_TERM_LENGTH}`);
  // A row of the table is at most 25 cells: the walks of one query compute at most about six million.
  assert.ok(MAX_WALK_ROWS <= 250_000, `MAX_WALK_ROWS ${MAX_WALK_ROWS}`);
  assert.ok(MAX_WALK_WORDS <= 250_000, `MAX_WALK_WORDS ${MAX_WALK_WORDS}`);
  assert.ok(MAX_POSTINGS <= 2_000_000, `MAX_POSTINGS ${MAX_POSTINGS}`);
});

for (const [kind, query] of HOSTILE) {
  test(
    `${kind}: searched as at most ${MAX_TERMS} terms of at most ${MAX_TERM_LENGTH} characters, ` +
      `the typo walk only for words it can take`,
    () => {
      const { terms } = planQuery(query);
      assert.ok(terms.length <= MAX_TERMS, `${terms.length} terms`);
      for (const t of terms) assert.ok(t.term.length <= MAX_TERM_LENGTH, t.term);
      for (const t of terms.filter((t) => t.typo)) assert.ok(t.term.length <= MAX_TYPO_TERM_LENGTH, t.term);
      // A one-letter word that is not the last one matches only itself, not a twenty-sixth of the vocabulary.
      for (const t of terms.slice(0, -1)) assert.ok(t.prefix === t.term.length > 1, `"${t.term}" as a prefix`);
    },
  );

  for (const [name, catalog] of catalogs) {
    test(`${kind}, against ${name}: the typo walks stay within their budget, and the answer is a valid page`, () => {
      const page = catalog.search(query, { limit: 20 });
      const work = catalog.lastWork;
      assert.ok(work.walks <= MAX_TYPO_TERMS, `${work.walks} typo walks`);
      assert.ok(work.postings <= MAX_POSTINGS, `${work.postings} row entries`);
      assert.ok(work.rows <= MAX_WALK_ROWS, `${work.rows} rows of the distance table`);
      assert.ok(work.words <= MAX_WALK_WORDS, `${work.words} vocabulary words visited`);
      const parsed = SearchResponse.parse(page);
      assert.ok(parsed.items.length <= 20);
      assert.equal(parsed.query, query);
    });
  }
}

test('a long query that starts with a real label finds it; words past the first terms are not searched', () => {
  // The sample's "Trade fair Hannover Messe", typed again and again up to 200 characters.
  const repeated = 'Trade fair Hannover Messe '.repeat(8).slice(0, 200);
  assert.equal(sample.search(repeated, { limit: 5 }).items[0]?.code, 'PRJ-1003');
  // A generated row's own words (label, detail, code, then starts of its words) fill the terms; the junk after
  // them is never searched.
  const row = generated[4242]!;
  let own = `${row.label} ${row.detail} ${row.code}`;
  for (const word of `${row.label} ${row.detail} ${row.code}`.split(/[^\p{L}\p{N}]+/u))
    for (let n = 2; n < word.length && planQuery(own).terms.length < MAX_TERMS; n++) own += ` ${word.slice(0, n)}`;
  assert.equal(planQuery(own).terms.length, MAX_TERMS, own);
  const long = `${own} ${Array.from({ length: 60 }, () => randomLetters(2)).join(' ')}`.slice(0, 200);
  assert.ok(
    large.search(long, { limit: 100 }).items.some((i) => i.code === row.code),
    long,
  );
});

test('a word longer than the terms are cut to is still found by it, even followed by more letters', () => {
  const word = 'Donaudampfschifffahrtsgesellschaftskapitänsmütze';
  const index = new SearchIndex([
    { code: 'D-1', label: `${word} Wien` },
    { code: 'D-2', label: 'Donau Wien' },
  ]);
  assert.ok(word.length > MAX_TERM_LENGTH);
  for (const q of [word, `${word}${'s'.repeat(150)}`, `${word} Wien`]) {
    assert.deepEqual(
      index.search(q, 0, 5).hits.map((h) => h.index),
      [0],
      q,
    );
  }
});

test('typos are still forgiven, and 200 × ß finds what a few ß find', () => {
  assert.equal(
    sample.search('frankfrut', { limit: 5 }).items[0]?.code,
    sample.search('frankfurt', { limit: 5 }).items[0]?.code,
  );
  const index = new SearchIndex([
    { code: 'S-1', label: 'Hauptstraße 5' },
    { code: 'S-2', label: 'Ssssssssssssssssssssssssssssssssssss' },
  ]);
  assert.deepEqual(
    index.search('straße', 0, 5).hits.map((h) => h.index),
    [0],
  );
  assert.deepEqual(
    index.search('ß'.repeat(200), 0, 5).hits.map((h) => h.index),
    [1],
  );
});

test('a one-letter word typed to its end matches that word; the last word matches as a prefix', () => {
  const index = new SearchIndex([
    { code: 'P-1', label: 'Alpha Berlin' },
    { code: 'P-2', label: 'Plan A Berlin' },
  ]);
  const codes = (q: string) => index.search(q, 0, 5).hits.map((h) => index.rows[h.index]!.code);
  assert.deepEqual(codes('a berlin'), ['P-2']);
  assert.deepEqual(codes('berlin a'), ['P-2', 'P-1']);
});

test(
  'on a vocabulary of hundreds of thousands of words the typo walks visit a bounded number of words, ' +
    'and still forgives a typo',
  () => {
    const r = seeded(23);
    const word = () =>
      Array.from({ length: 6 + Math.floor(r.next() * 5) }, () => letters[Math.floor(r.next() * 26)]).join('');
    const rows = Array.from({ length: 60_000 }, (_, i) => ({ code: `W-${i}`, label: `${word()} ${word()} ${word()}` }));
    rows.push({ code: 'W-FRA', label: 'Frankfurt office' });
    const vocabulary = new Set(rows.flatMap((row) => row.label.toLowerCase().split(' '))).size;
    const catalog = new Catalog(rows);
    // A row's own three words, each with the typo walk, then five made-up ones.
    const query = `${rows[777]!.label} ${Array.from({ length: 5 }, word).join(' ')}`;
    catalog.search(query, { limit: 20 });
    const work = catalog.lastWork;
    assert.ok(work.words > 0, 'the typo walks ran');
    assert.ok(work.words <= MAX_WALK_WORDS, `${work.words} of ${vocabulary} vocabulary words visited`);
    assert.ok(work.rows <= MAX_WALK_ROWS, `${work.rows} rows of the distance table`);
    assert.equal(catalog.search(rows[777]!.label, { limit: 5 }).items[0]?.code, 'W-777');
    assert.deepEqual(
      catalog.search('frankfrut', { limit: 5 }).items.map((i) => i.code),
      ['W-FRA'],
    );
  },
);
