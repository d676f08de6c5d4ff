// Fast, forgiving search over {code, label, detail} rows. uFuzzy matches each query word against the catalog's
// vocabulary (typo-tolerant, accents and case folded); an inverted index maps words to rows, so a query scans
// the vocabulary rather than every row; codes are found by binary search. Ranking: a code equal to, then
// starting with, the query; then rows matching every query word, best matches first; ties in code order.
// The work of one query is bounded whatever it holds (see the limits below): it is searched as a few short terms.
import uFuzzy from '@leeoniya/ufuzzy';

export interface IndexedRow {
  code: string;
  label: string;
  detail?: string;
}

/** Character ranges [start, end) to highlight, per field. */
export interface Highlight {
  code?: [number, number][];
  label?: [number, number][];
  detail?: [number, number][];
}

export interface IndexHit {
  /** Position of the row in `rows` (code order). */
  index: number;
  highlight: Highlight;
}

export interface IndexPage {
  hits: IndexHit[];
  total: number;
}

/**
 * Folds case and accents ("Zürich", or "Zu\u0308rich" as macOS exports write it, -> "zurich"; "Straße" ->
 * "strasse"), keeping one character per character where it can (highlights are skipped where it cannot).
 */
export const fold = (s: string) => uFuzzy.latinize(s.normalize('NFC').toLowerCase()).replace(/ß/g, 'ss');

const WORD = /[\p{L}\p{N}]+/gu;
const words = (s: string) => s.match(WORD) ?? [];

// Limits on the work of one query, whatever it holds. Without them a query's cost grew with its length: the typo
// pass builds a regular expression of about 4·L alternatives of L characters for a word of L characters, so 200 × "ß"
// (one 400-letter word once folded) took about a second to compile, holding the event loop and every other request.

/**
 * Characters of a query that are read: what the search routes accept (server/routes/validation.ts), for every caller.
 */
export const MAX_QUERY_LENGTH = 200;
/** Distinct words a query is searched for, in the order typed. Labels seldom have more, and a later word only narrows
 * rows the first ones already narrowed, while each costs a pass over its postings and over the rows. */
export const MAX_TERMS = 8;
/** Characters of a word that are searched. A prefix this long still finds the longer word (as a word starting with
 * it) and is specific enough; it bounds the comparisons and the highlighting. */
export const MAX_TERM_LENGTH = 32;
/** Longest word that gets the typo pass (uFuzzy: the word inside others, or with one typo). Its regular expression
 * grows with the square of the word's length and is tested against every vocabulary word; at 16 characters it costs
 * about a millisecond. A longer word is still found by its prefix, without typo tolerance. */
export const MAX_TYPO_TERM_LENGTH = 16;
/** Words of a query that get the typo pass (the first ones that qualify): people type up to five words with a typo in
 * any of them (bench/labelled-queries.json); each costs a scan of the vocabulary. */
export const MAX_TYPO_TERMS = 5;
/** Vocabulary words the typo pass tests for one query, over all its terms: a test runs a regular expression of
 * some dozens of alternatives, about 100 ns, so this is about 10 ms. A vocabulary of up to 20,000 words is tested in
 * full for five terms; on a larger one a term is tested only against the words that start with its first letter
 * (uFuzzy keeps the first letter, so what is lost is a word found inside another), and once the budget is spent the
 * remaining terms get no typo pass. A catalog of 500,000 rows can hold a million distinct words. */
export const MAX_TYPO_WORD_TESTS = 100_000;
/** A word shorter than this that is not the last one (it was typed to its end) matches only that very word: as a
 * prefix, one letter matches a large share of the vocabulary and its postings run into the millions on a large
 * catalog, for a word that barely narrows. The last word is being typed and keeps matching as a prefix. */
export const MIN_PREFIX_TERM_LENGTH = 2;

/** One word of a query as it is searched. */
export interface QueryTerm {
  /** Folded, at most MAX_TERM_LENGTH characters. */
  term: string;
  /** Matches vocabulary words that start with it; else only the word itself. */
  prefix: boolean;
  /** Also matches words that hold it, or hold it with one typo (uFuzzy). */
  typo: boolean;
}

export interface QueryPlan {
  /** The folded query (its first MAX_QUERY_LENGTH characters). */
  folded: string;
  /** The folded query without spaces, as a code being typed. */
  compact: string;
  /** The terms every result must match (AND), at most MAX_TERMS. */
  terms: QueryTerm[];
}

/** How a query is searched: the bounded terms, and which of them get the prefix match and the typo pass. */
export function planQuery(query: string): QueryPlan {
  const folded = fold(query.trim().slice(0, MAX_QUERY_LENGTH));
  const distinct = [...new Set(words(folded).map((w) => w.slice(0, MAX_TERM_LENGTH)))].slice(0, MAX_TERMS);
  let typos = 0;
  const terms = distinct.map((term, i): QueryTerm => {
    // Words of three letters or more also match inside words and with one typo (shorter ones would match too much).
    const typo = term.length >= 3 && term.length <= MAX_TYPO_TERM_LENGTH && typos < MAX_TYPO_TERMS;
    if (typo) typos++;
    return { term, prefix: term.length >= MIN_PREFIX_TERM_LENGTH || i === distinct.length - 1, typo };
  });
  return { folded, compact: folded.replace(/\s+/g, ''), terms };
}

// Match qualities (a word's contribution), and field weights.
const EXACT = 10;
const PREFIX = 8;
const INSIDE = 5;
const TYPO = 4;
const FIELD = { label: 1, detail: 0.5, code: 1.2 } as const;
const CODE_EXACT = 1000;
const CODE_PREFIX = 500;

// A row's score as a histogram key (hundredths). The best a row can score is bounded because a query's terms are
// (MAX_TERMS, each at most an exact code token), so one shared histogram serves every search: a search runs to its
// end synchronously, so only one uses it at a time, and it is left zeroed.
const MAX_SCORE_KEY = Math.round((CODE_EXACT + MAX_TERMS * EXACT * FIELD.code) * 100);
const scoreCounts = new Uint32Array(MAX_SCORE_KEY + 1);
const scoreKey = (score: number) => Math.min(Math.round(score * 100), MAX_SCORE_KEY);

interface WordPostings {
  label: number[];
  detail: number[];
}

/** The vocabulary words and code tokens one term matches: ranges of the sorted lists, and the typo pass's finds. */
interface TermMatch extends QueryTerm {
  /** Vocabulary words [lo, hi): those starting with the term (prefix), or the term itself. */
  lo: number;
  hi: number;
  /** Further vocabulary words by index (the typo pass) -> quality. */
  typos: Map<number, number>;
  /** Code tokens [codeLo, codeHi), as for words. */
  codeLo: number;
  codeHi: number;
}

function lowerBound(sorted: string[], key: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The [lo, hi) range of a sorted array whose entries start with `prefix`. */
function prefixRange(sorted: string[], prefix: string): [number, number] {
  return [lowerBound(sorted, prefix), lowerBound(sorted, `${prefix}\uffff`)];
}

/** The range of entries that start with `term` (prefix), or equal it. */
function termRange(sorted: string[], term: string, prefix: boolean): [number, number] {
  if (prefix) return prefixRange(sorted, term);
  const lo = lowerBound(sorted, term);
  return [lo, sorted[lo] === term ? lo + 1 : lo];
}

/** What the constructor needs, computed in steps so a large catalog can be indexed without blocking. */
interface IndexData {
  vocab: string[];
  postings: WordPostings[];
  codeTokens: string[];
  codeTokenRows: number[][];
  codes: string[];
  codeRows: Int32Array;
}

/** Builds the index data, yielding after every `chunk` rows. */
function* indexSteps(rows: readonly IndexedRow[], chunk = 10_000): Generator<void, IndexData> {
  const n = rows.length;
  const vocab = new Map<string, WordPostings>();
  const codeTokens = new Map<string, number[]>();
  const add = (word: string, row: number, field: 'label' | 'detail') => {
    let p = vocab.get(word);
    if (!p) vocab.set(word, (p = { label: [], detail: [] }));
    const list = p[field];
    if (list[list.length - 1] !== row) list.push(row);
  };
  const codes = new Array<[string, number]>(n);
  for (let i = 0; i < n; i++) {
    const r = rows[i]!;
    for (const w of words(fold(r.label))) add(w, i, 'label');
    if (r.detail) for (const w of words(fold(r.detail))) add(w, i, 'detail');
    const code = fold(r.code);
    codes[i] = [code, i];
    for (const t of words(code)) {
      let list = codeTokens.get(t);
      if (!list) codeTokens.set(t, (list = []));
      if (list[list.length - 1] !== i) list.push(i);
    }
    if (i % chunk === chunk - 1) yield;
  }
  const sortedVocab = [...vocab.keys()].sort();
  const sortedTokens = [...codeTokens.keys()].sort();
  yield;
  codes.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return {
    vocab: sortedVocab,
    postings: sortedVocab.map((w) => vocab.get(w)!),
    codeTokens: sortedTokens,
    codeTokenRows: sortedTokens.map((t) => codeTokens.get(t)!),
    codes: codes.map((c) => c[0]),
    codeRows: Int32Array.from(codes, (c) => c[1]),
  };
}

export class SearchIndex<T extends IndexedRow> {
  readonly rows: readonly T[];
  readonly #n: number;
  readonly #vocab: string[];
  readonly #postings: WordPostings[];
  /** Code tokens ("prj", "1042") sorted, with the rows that carry them. */
  readonly #codeTokens: string[];
  readonly #codeTokenRows: number[][];
  /** Whole folded codes sorted, with their row. */
  readonly #codes: string[];
  readonly #codeRows: Int32Array;
  readonly #longestCode: number;
  readonly #uf = new uFuzzy({ intraMode: 1, interIns: Infinity });
  readonly #acc: Float32Array;
  readonly #term: Float32Array;
  /** Rows that match every term so far, for the AND. */
  readonly #candidates: Int32Array;

  /** `rows` must already be in the order results are listed in on ties (code order). Builds synchronously. */
  constructor(rows: readonly T[], data?: IndexData) {
    this.rows = rows;
    this.#n = rows.length;
    if (!data) {
      const steps = indexSteps(rows);
      let step = steps.next();
      while (!step.done) step = steps.next();
      data = step.value;
    }
    this.#vocab = data.vocab;
    this.#postings = data.postings;
    this.#codeTokens = data.codeTokens;
    this.#codeTokenRows = data.codeTokenRows;
    this.#codes = data.codes;
    this.#codeRows = data.codeRows;
    this.#longestCode = data.codes.reduce((max, c) => Math.max(max, c.length), 0);
    this.#acc = new Float32Array(this.#n);
    this.#term = new Float32Array(this.#n);
    this.#candidates = new Int32Array(this.#n);
  }

  /** Builds without holding the event loop for long: other requests are served between chunks of rows. */
  static async build<R extends IndexedRow>(rows: readonly R[]): Promise<SearchIndex<R>> {
    const steps = indexSteps(rows);
    let step = steps.next();
    while (!step.done) {
      await new Promise((resolve) => setImmediate(resolve));
      step = steps.next();
    }
    return new SearchIndex(rows, step.value);
  }

  /** Vocabulary words and code tokens matching one query term; the typo pass spends from the query's `budget`. */
  #matchTerm(t: QueryTerm, budget: { tests: number }): TermMatch {
    const [lo, hi] = termRange(this.#vocab, t.term, t.prefix);
    const typos = new Map<number, number>();
    if (t.typo) {
      for (const i of this.#typoPass(t.term, budget)) {
        if (i < lo || i >= hi) typos.set(i, this.#vocab[i]!.includes(t.term) ? INSIDE : TYPO);
      }
    }
    const [codeLo, codeHi] = termRange(this.#codeTokens, t.term, t.prefix);
    return { ...t, lo, hi, typos, codeLo, codeHi };
  }

  /**
   * Vocabulary words holding `term`, or holding it with one typo; tests at most `budget.tests` words
   * (see MAX_TYPO_WORD_TESTS).
   */
  #typoPass(term: string, budget: { tests: number }): number[] {
    const vocab = this.#vocab;
    if (vocab.length <= budget.tests) {
      budget.tests -= vocab.length;
      return this.#uf.filter(vocab, term) ?? [];
    }
    const [lo, hi] = prefixRange(vocab, term[0]!);
    if (hi - lo > budget.tests) return [];
    budget.tests -= hi - lo;
    return (
      this.#uf.filter(
        vocab,
        term,
        Array.from({ length: hi - lo }, (_, k) => lo + k),
      ) ?? []
    );
  }

  /** Scores every row for one term into #term (0 = no match); returns whether anything matched. */
  #scoreTerm(m: TermMatch): boolean {
    const s = this.#term;
    s.fill(0);
    const mark = (p: WordPostings, quality: number) => {
      const label = quality * FIELD.label;
      const detail = quality * FIELD.detail;
      for (const row of p.label) if (s[row]! < label) s[row] = label;
      for (const row of p.detail) if (s[row]! < detail) s[row] = detail;
    };
    for (let i = m.lo; i < m.hi; i++) mark(this.#postings[i]!, this.#vocab[i] === m.term ? EXACT : PREFIX);
    for (const [i, quality] of m.typos) mark(this.#postings[i]!, quality);
    for (let i = m.codeLo; i < m.codeHi; i++) {
      const q = (this.#codeTokens[i] === m.term ? EXACT : PREFIX) * FIELD.code;
      for (const row of this.#codeTokenRows[i]!) if (s[row]! < q) s[row] = q;
    }
    return m.hi > m.lo || m.typos.size > 0 || m.codeHi > m.codeLo;
  }

  /**
   * One page of results. `accept` (optional) drops rows a context filter excludes; they do not count in total.
   */
  search(query: string, offset: number, limit: number, accept?: (row: T) => boolean): IndexPage {
    const { folded: q, compact, terms } = planQuery(query);
    const n = this.#n;
    if (!q) {
      // Nothing typed: everything, in code order.
      const hits: IndexHit[] = [];
      let total = 0;
      for (let i = 0; i < n; i++) {
        if (accept && !accept(this.rows[i]!)) continue;
        if (total >= offset && hits.length < limit) hits.push({ index: i, highlight: {} });
        total++;
      }
      return { hits, total };
    }
    // A code being typed ("PRJ-10", "cc-2": letters with digits or code punctuation) is answered by the codes
    // that start with it, in code order; a number alone ("2024") may be a word in a label, so it is searched too.
    // A query longer than every code is no code's start.
    const [lo, hi] = compact.length <= this.#longestCode ? prefixRange(this.#codes, compact) : [0, 0];
    if (hi > lo && /\p{L}/u.test(compact) && /[\d\-_./]/.test(compact)) {
      const page = this.#codeRange(lo, hi, offset, limit, compact, accept);
      if (page.total > 0) return page;
    }
    const acc = this.#acc;
    acc.fill(0);
    const matches: TermMatch[] = [];
    const budget = { tests: MAX_TYPO_WORD_TESTS };
    // Every word must match somewhere in the row (AND); scores add up. Once no row is left, the rest are not scored.
    // The rows still in the running are listed, so a later term visits them rather than every row.
    const candidates = this.#candidates;
    let left = 0;
    let alive = terms.length > 0;
    for (let t = 0; t < terms.length && alive; t++) {
      const m = this.#matchTerm(terms[t]!, budget);
      matches.push(m);
      alive = this.#scoreTerm(m);
      const s = this.#term;
      if (t === 0) {
        for (let i = 0; i < n; i++) {
          if (s[i]! <= 0) continue;
          acc[i] = s[i]!;
          candidates[left++] = i;
        }
      } else if (alive) {
        let kept = 0;
        for (let k = 0; k < left; k++) {
          const i = candidates[k]!;
          if (s[i]! > 0) {
            acc[i] = acc[i]! + s[i]!;
            candidates[kept++] = i;
          } else acc[i] = 0;
        }
        left = kept;
      }
      alive &&= left > 0;
    }
    if (!alive) acc.fill(0);
    // Codes that start with the query are listed even so, highlighted with every term's matches.
    for (let t = matches.length; t < terms.length && hi > lo; t++) matches.push(this.#matchTerm(terms[t]!, budget));
    // The whole query as a code, or the start of one, ranks first.
    for (let k = lo; k < hi; k++) {
      const row = this.#codeRows[k]!;
      acc[row] = acc[row]! + (this.#codes[k] === compact ? CODE_EXACT : CODE_PREFIX);
    }
    return this.#page(acc, offset, limit, matches, compact, accept);
  }

  #codeRange(
    lo: number,
    hi: number,
    offset: number,
    limit: number,
    compact: string,
    accept?: (row: T) => boolean,
  ): IndexPage {
    const hits: IndexHit[] = [];
    let total = 0;
    // The exact code, if there is one, sorts first in the range (it is the shortest).
    for (let k = lo; k < hi; k++) {
      const row = this.#codeRows[k]!;
      if (accept && !accept(this.rows[row]!)) continue;
      if (total >= offset && hits.length < limit) {
        const code = this.rows[row]!.code;
        hits.push({ index: row, highlight: fold(code).length === code.length ? { code: [[0, compact.length]] } : {} });
      }
      total++;
    }
    return { hits, total };
  }

  /** Ranks by score, ties in row (code) order, without sorting every match: a histogram finds the cut. */
  #page(
    acc: Float32Array,
    offset: number,
    limit: number,
    matches: TermMatch[],
    compact: string,
    accept?: (row: T) => boolean,
  ): IndexPage {
    const n = this.#n;
    const counts = scoreCounts;
    const keys: number[] = [];
    let total = 0;
    for (let i = 0; i < n; i++) {
      const s = acc[i]!;
      if (s <= 0) continue;
      if (accept && !accept(this.rows[i]!)) {
        acc[i] = 0;
        continue;
      }
      const key = scoreKey(s);
      const count = counts[key]!;
      if (count === 0) keys.push(key);
      counts[key] = count + 1;
      total++;
    }
    keys.sort((a, b) => b - a);
    const wanted = offset + limit;
    // The best scores that hold the first `wanted` rows (in that order), and how many rows are to be taken.
    const buckets = new Map<number, number[]>();
    let seen = 0;
    let left = 0;
    for (const k of keys) {
      if (seen >= wanted) break;
      buckets.set(k, []);
      seen += counts[k]!;
      left += Math.min(counts[k]!, wanted);
    }
    for (const k of keys) counts[k] = 0;
    const cut = keys[buckets.size - 1] ?? Infinity;
    for (let i = 0; i < n && left > 0; i++) {
      const s = acc[i]!;
      if (s <= 0) continue;
      const key = scoreKey(s);
      if (key < cut) continue;
      const bucket = buckets.get(key)!;
      if (bucket.length < wanted) {
        bucket.push(i);
        left--;
      }
    }
    const ordered = [...buckets.values()].flat();
    const hits = ordered
      .slice(offset, wanted)
      .map((index) => ({ index, highlight: this.#highlight(this.rows[index]!, matches, compact) }));
    return { hits, total };
  }

  #highlight(row: T, matches: TermMatch[], compact: string): Highlight {
    const h: Highlight = {};
    const mark = (text: string | undefined, field: 'code' | 'label' | 'detail', extra: [number, number][] = []) => {
      if (!text) return;
      const folded = fold(text);
      // Ranges are positions in the original text, so only when folding kept its length.
      if (folded.length !== text.length) return;
      const ranges = [...extra];
      for (const m of folded.matchAll(WORD)) {
        const w = m[0];
        // The word's place in the vocabulary, looked up once and only for the typo pass's finds.
        let at: number | undefined;
        for (const t of matches) {
          let from = 0;
          let len = 0;
          if (t.prefix ? w.startsWith(t.term) : w === t.term) len = t.term.length;
          else if (field !== 'code' && t.typos.size) {
            at ??= lowerBound(this.#vocab, w);
            const quality = this.#vocab[at] === w ? t.typos.get(at) : undefined;
            // A word with a typo is marked whole; a word holding the term, where it holds it.
            if (quality === TYPO) len = w.length;
            else if (quality === INSIDE) [from, len] = [w.indexOf(t.term), t.term.length];
          }
          if (len) ranges.push([m.index + from, m.index + from + len]);
        }
      }
      if (ranges.length) h[field] = mergeRanges(ranges);
    };
    const code = fold(row.code);
    mark(row.code, 'code', code.startsWith(compact) && compact ? [[0, compact.length]] : []);
    mark(row.label, 'label');
    mark(row.detail, 'detail');
    return h;
  }
}

function mergeRanges(ranges: [number, number][]): [number, number][] {
  ranges.sort((a, b) => a[0] - b[0]);
  const out: [number, number][] = [];
  for (const r of ranges) {
    const last = out[out.length - 1];
    if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
    else out.push([r[0], r[1]]);
  }
  return out;
}
