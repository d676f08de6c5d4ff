// What the search's hand-written parts do, case by case: folding (every script's accents, the letters that do not
// decompose), the typo walk (checked against a plain edit-distance computation on random vocabularies), and the
// ranking cases that real names showed going wrong (a typo in the first letter, two typos in a word, every typo
// scoring the same, an exact name below a longer one, accents outside Latin-1).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fold, foldMapped } from '../../../server/sources/fold.ts';
import { fuzzyWalk, packLexicon, wordsHolding } from '../../../server/sources/fuzzy-walk.ts';
import { SearchIndex } from '../../../server/sources/search-index.ts';
import { Catalog } from '../../../server/sources/catalog.ts';
import { seeded } from '../../../bench/catalog-data.ts';

const FOLDS: [string, string][] = [
  ['Panevėžys', 'panevezys'],
  ['Vũng Tàu', 'vung tau'],
  ['Zürich', 'zurich'],
  ['Zu\u0308rich', 'zurich'],
  ['Straße', 'strasse'],
  ['STRAẞE', 'strasse'],
  ['Ærøskøbing', 'aeroskobing'],
  ['Łódź', 'lodz'],
  ['Đà Nẵng', 'da nang'],
  ['İstanbul', 'istanbul'],
  ['ŞİŞLİ', 'sisli'],
  ['Œuvre', 'oeuvre'],
  ['Þórshöfn', 'thorshofn'],
  ['Reykjavík Ísafjörður', 'reykjavik isafjordur'],
  ['Ḥalab', 'halab'],
  ['Ŭlanbator', 'ulanbator'],
  ['Sāmoa Hawaiʻi', 'samoa hawaiʻi'],
  ['Mérida Ciudad Juárez', 'merida ciudad juarez'],
  ['ﬁnance', 'finance'],
  ['Ⅻ ①', 'xii 1'],
  ['ΟΔΟΣ οδός', 'οδοσ οδοσ'],
  ['Москва́', 'москва'],
  ['plain ascii 42', 'plain ascii 42'],
];

for (const [text, folded] of FOLDS) {
  test(`fold: "${text}" -> "${folded}", character by character the same, each mapped to where it came from`, () => {
    assert.equal(fold(text), folded);
    const mapped = foldMapped(text);
    assert.equal(mapped.folded, folded);
    assert.equal(mapped.start.length, folded.length);
    for (let i = 0; i < folded.length; i++) {
      const original = text.slice(mapped.start[i], mapped.end[i]);
      assert.ok(fold(original).includes(folded[i]!), `"${folded[i]}" from "${original}"`);
    }
  });
}

/** Optimal string alignment distance, the plain way (the reference the walk is checked against). */
function osa(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}
const startDistance = (word: string, term: string) =>
  Math.min(...Array.from({ length: word.length + 1 }, (_, l) => osa(word.slice(0, l), term)));

const WALKS: [string, string[], number, number, Record<string, number>][] = [
  // term, vocabulary, whole-word typos, start typos (-1: none), expected words -> edits (whole or start)
  [
    'cairo',
    ['cairo', 'kairo', 'vcairo', 'cario', 'ciaro', 'cairn', 'zzz'],
    1,
    -1,
    {
      cairo: 0,
      kairo: 1,
      vcairo: 1,
      cario: 1,
      ciaro: 1,
      cairn: 1,
    },
  ],
  ['vcairo', ['cairo', 'cairns', 'carlo'], 2, -1, { cairo: 1 }],
  ['umity', ['unity', 'dumitrita', 'amity', 'umit'], 1, -1, { unity: 1, amity: 1, umit: 1 }],
  ['frnkfrut', ['frankfurt', 'frankfort', 'frank'], 2, -1, { frankfurt: 2 }],
  ['sere', ['serena', 'seres', 'sierra', 'xerxes', 'sxre'], 1, 1, { serena: 0, seres: 0, sxre: 1 }],
];

for (const [term, vocab, maxWord, maxPrefix, expected] of WALKS) {
  test(`the typo walk: "${term}" within ${maxWord} typos (starts within ${maxPrefix}) finds ${Object.keys(expected).join(', ')}`, () => {
    const sorted = [...new Set(vocab)].sort();
    const lexicon = packLexicon(sorted);
    const found = fuzzyWalk(lexicon, term, { maxWord, maxPrefix }, { rows: 1e6, words: 1e6 });
    const got: Record<string, number> = {};
    for (const [i, edits] of found.words) got[sorted[i]!] = edits;
    for (const [lo, hi, edits] of found.spans)
      for (let i = lo; i < hi; i++) got[sorted[i]!] = Math.min(got[sorted[i]!] ?? edits, edits);
    assert.deepEqual(got, expected);
  });
}

test('the typo walk finds exactly what the plain edit distance finds, on random vocabularies and terms', () => {
  const r = seeded(5);
  const alphabet = 'abcde';
  const word = (min: number, max: number) =>
    Array.from({ length: min + Math.floor(r.next() * (max - min + 1)) }, () => alphabet[Math.floor(r.next() * 5)]).join(
      '',
    );
  for (let round = 0; round < 40; round++) {
    const sorted = [...new Set(Array.from({ length: 300 }, () => word(1, 9)))].sort();
    const lexicon = packLexicon(sorted);
    const term = word(3, 7);
    const maxWord = 1 + (round % 2);
    const maxPrefix = round % 3 === 0 ? -1 : round % 3;
    const found = fuzzyWalk(lexicon, term, { maxWord, maxPrefix }, { rows: 1e7, words: 1e7 });
    const whole = new Map([...found.words].map(([i, e]) => [sorted[i]!, e]));
    const starts = new Map<string, number>();
    for (const [lo, hi, e] of found.spans) for (let i = lo; i < hi; i++) starts.set(sorted[i]!, e);
    for (const w of sorted) {
      const d = osa(w, term);
      assert.equal(whole.get(w), d <= maxWord ? d : undefined, `"${w}" whole vs "${term}"`);
      const s = startDistance(w, term);
      if (maxPrefix >= 0 && s <= maxPrefix && !(d <= maxWord && d <= s))
        assert.equal(starts.get(w), s, `"${w}" starts near "${term}"`);
      else assert.equal(starts.get(w), undefined, `"${w}" should not be a start of "${term}"`);
    }
  }
});

test('the typo walk stops where its budget ends, and says so', () => {
  const sorted = Array.from({ length: 5000 }, (_, i) => `w${String(i).padStart(5, '0')}`);
  const budget = { rows: 1e6, words: 100 };
  const found = fuzzyWalk(packLexicon(sorted), 'w00042', { maxWord: 2, maxPrefix: -1 }, budget);
  assert.equal(found.cut, true);
  assert.equal(budget.words, 0);
});

test('words holding a term inside them (not at their start, not across two words)', () => {
  const sorted = ['hauptstrasse', 'strasse', 'bahnhofstrasse', 'stras', 'sealand'].sort();
  const found = wordsHolding(packLexicon(sorted), 'strasse', 10).map((i) => sorted[i]);
  assert.deepEqual(found.sort(), ['bahnhofstrasse', 'hauptstrasse']);
  assert.deepEqual(wordsHolding(packLexicon(['ab', 'cd']), 'bc', 10), []);
});

const ROWS = [
  'Unity',
  'Dumitrița',
  'La Serena',
  'Zalamea de la Serena',
  'Panevėžys',
  'Vũng Tàu',
  'Cairo',
  'Kairouan',
  'Hauptstraße 5',
  'Frankfurt (Main) Hbf',
  'Frankfurt (Oder)',
  'Gare de Lyon',
  'Paris Gare de Lyon',
  'Lyon Part-Dieu',
  'Ærøskøbing',
  'Reykjavík',
  'Santa Cruz de Tenerife',
  'Universidad de Santa Cruz',
].map((label, i) => ({ code: `C-${String(i).padStart(2, '0')}`, label }));
const index = new SearchIndex(ROWS);
const labels = (q: string, n = 3) => index.search(q, 0, n).hits.map((h) => ROWS[h.index]!.label);

const RANKED: [string, string, string, number][] = [
  // what the issue saw go wrong, the query, the row that must come first (or within the top n)
  ['a typo that keeps the letters ranks the closer word', 'umity', 'Unity', 1],
  ['an exact whole name above a longer one holding it', 'la serena', 'La Serena', 1],
  ['accents outside Latin-1, left out', 'panevezys', 'Panevėžys', 1],
  ['accents outside Latin-1, left out (two words)', 'vung tau', 'Vũng Tàu', 1],
  ['a typo in the first letter (inserted)', 'vcairo', 'Cairo', 1],
  ['a typo in the first letter (replaced)', 'kairo', 'Cairo', 2],
  ['two typos in one word', 'frnkfrut', 'Frankfurt (Main) Hbf', 2],
  ['a swap of neighbours', 'fraknfurt oder', 'Frankfurt (Oder)', 1],
  ['a name being typed', 'gare de ly', 'Gare de Lyon', 1],
  ['words reordered', 'serena la', 'La Serena', 1],
  ['a word left out', 'zalamea serena', 'Zalamea de la Serena', 1],
  ['letters that do not decompose', 'aeroskobing', 'Ærøskøbing', 1],
  ['part of a compound', 'strasse', 'Hauptstraße 5', 1],
  ['a word no row has does not hide the rest', 'reykjavik airport', 'Reykjavík', 1],
  ['the label that starts with the words above one that holds them later', 'santa cruz', 'Santa Cruz de Tenerife', 1],
];

for (const [what, query, first, within] of RANKED) {
  test(`ranking: ${what}: "${query}" -> ${first}${within > 1 ? ` in the top ${within}` : ' first'}`, () => {
    assert.ok(labels(query, within).includes(first), `${query}: ${labels(query, 5).join(' | ')}`);
  });
}

test('ranking: equal matches fall to the label starting with the word, then the shorter label; an exact code comes first', () => {
  // All three hold "lyon" exactly: the one starting with it, then the shorter of the others.
  assert.deepEqual(labels('lyon', 3), ['Lyon Part-Dieu', 'Gare de Lyon', 'Paris Gare de Lyon']);
  assert.deepEqual(labels('c-07', 1), ['Kairouan']);
});

test('highlights point into the original text, also where folding changed its length', () => {
  const hit = index.search('strasse', 0, 1).hits[0]!;
  assert.equal(ROWS[hit.index]!.label, 'Hauptstraße 5');
  // "straße" is characters 5..11 of "Hauptstraße 5" (six characters that fold to seven).
  assert.deepEqual(hit.highlight.label, [[5, 11]]);
  const accents = index.search('panevezys', 0, 1).hits[0]!;
  assert.deepEqual(accents.highlight.label, [[0, 9]]);
});

test('a code being typed lists the codes starting with it in the catalog order (numbers by value), the exact one first', () => {
  const codes = ['PRJ-1', 'PRJ-2', 'PRJ-3', 'PRJ-10', 'prj-20'];
  // Alone (the codes a query starts are most of the catalog) and among 200 others (a few of it): two ways, one order.
  const others = Array.from({ length: 200 }, (_, i) => ({ code: `X-${i}`, label: `Other ${i}` }));
  for (const rows of [[], others]) {
    const catalog = new Catalog([...codes.map((code) => ({ code, label: `Project ${code}` })), ...rows]);
    assert.deepEqual(
      catalog.search('PRJ-', { limit: 10 }).items.map((i) => i.code),
      codes,
    );
    assert.deepEqual(
      catalog.search('prj-2', { limit: 10 }).items.map((i) => i.code),
      ['PRJ-2', 'prj-20'],
    );
    assert.deepEqual(
      catalog.search('prj-', { offset: 2, limit: 2 }).items.map((i) => i.code),
      ['PRJ-3', 'PRJ-10'],
    );
  }
});

test('highlights: one range per character even where it folds to several words, accents kept with their letter', () => {
  const rows = [
    { code: 'H-1', label: '½ litre' },
    { code: 'H-2', label: 'Cafe\u0301 Noir' },
  ];
  const idx = new SearchIndex(rows);
  assert.deepEqual(idx.search('1 2', 0, 1).hits[0]!.highlight.label, [[0, 1]]);
  // "Café" written as "Cafe" and a combining accent: the accent is highlighted with its letter.
  assert.deepEqual(idx.search('cafe', 0, 1).hits[0]!.highlight.label, [[0, 5]]);
});

test('a context filter that throws leaves no trace in the next search, on this index or another', () => {
  const rows = Array.from({ length: 30 }, (_, i) => ({ code: `N-${String(i).padStart(2, '0')}`, label: `Nord ${i}` }));
  const one = new SearchIndex(rows);
  const other = new SearchIndex(rows);
  const before = other.search('nord', 0, 3);
  assert.throws(
    () =>
      one.search('nord', 0, 3, () => {
        throw new Error('filter failed');
      }),
    /filter failed/,
  );
  assert.deepEqual(other.search('nord', 0, 3), before);
  assert.deepEqual(one.search('nord', 0, 3), before);
});

test('an offset or limit out of range is taken as the nearest valid one, and a query of accents alone as nothing typed', () => {
  const idx = new SearchIndex([
    { code: 'A-1', label: 'Alpha' },
    { code: 'B-2', label: 'Beta' },
  ]);
  assert.deepEqual(
    idx.search('a', -1, 5).hits.map((h) => h.index),
    idx.search('a', 0, 5).hits.map((h) => h.index),
  );
  assert.equal(idx.search('alpha', 0.5, 5).hits.length, 1);
  assert.deepEqual(idx.search('´', 0, 5), idx.search('', 0, 5));
});

test('words holding a term that repeats its own start (each character read once)', () => {
  const sorted = ['aaaab', 'xaaab', 'aab', 'baaac'].sort();
  const found = wordsHolding(packLexicon(sorted), 'aab', 10).map((i) => sorted[i]);
  assert.deepEqual(found.sort(), ['aaaab', 'xaaab']);
});
