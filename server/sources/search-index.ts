// Fast, forgiving search over {code, label, detail} rows. Each query word is looked up in the catalog's vocabulary
// (folded: case and accents of every script, see fold.ts): as itself, as the start of a longer word, and within one
// or two typos (fuzzy-walk.ts: the first letter included, a swap of neighbours counting one); an inverted index maps
// words to rows, so a query walks the vocabulary rather than every row; codes are found by binary search.
// Ranking, as search engines rank names: a code equal to, then starting with, the query; then rows matching every
// query word (or, when none does, the most of them), by how well each word matched (exact, then a prefix, then one
// typo, then two; a label word above a detail word); among those, the row whose label is exactly the query, then one
// whose label starts with the first word, then shorter labels; ties in code order.
// The work of one query is bounded whatever it holds (see the limits below): it is searched as a few short terms.
import { fold, foldMapped } from './fold.ts';
import { fuzzyWalk, packLexicon, wordsHolding, type Lexicon, type WalkBudget, type WalkResult } from './fuzzy-walk.ts';

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

const WORD = /[\p{L}\p{N}]+/gu;
const words = (s: string) => s.match(WORD) ?? [];

// Limits on the work of one query, whatever it holds. Without them a query's cost grew with its length (an earlier
// typo pass built a regular expression whose size grew with the square of the word: 200 × "ß" took seconds).

/**
 * Characters of a query that are read: what the search routes accept (server/routes/validation.ts), for every caller.
 */
export const MAX_QUERY_LENGTH = 200;
/** Characters of the folded query that are read: folding can lengthen a text (one character of "ﬃ" or "㎒" is three). */
const MAX_FOLDED_LENGTH = 2 * MAX_QUERY_LENGTH;
/** Distinct words a query is searched for, in the order typed: every word of a 200-character query but the rarest.
 * Long labels (a medical code's description) have twenty or thirty, and telling apart two that share their first
 * twenty takes the rest; each costs a pass over its postings (see MAX_POSTINGS). */
export const MAX_TERMS = 32;
/** Characters of a word that are searched. A prefix this long still finds the longer word (as a word starting with
 * it) and is specific enough; it bounds the comparisons and the highlighting. */
export const MAX_TERM_LENGTH = 32;
/** Longest word that gets the typo walk. Its table is (length + 2) rows of (length + 1) cells; a longer word is still
 * found as itself or by its prefix. */
export const MAX_TYPO_TERM_LENGTH = 24;
/** Words of a query that get the typo walk (the first ones that qualify): people type up to five words with a typo in
 * any of them; each walk costs a share of the vocabulary. */
export const MAX_TYPO_TERMS = 5;
/** Row entries (a row under a word a term matched) the terms of one query may visit, over both passes (every word,
 * then the most words), about five milliseconds' worth: a term that would go past it is left out. Only a query of
 * many frequent word starts comes near it. */
export const MAX_POSTINGS = 500_000;
/** A query of at most this many words also gets typo walks for words found as typed ("port" may be "sport"). */
export const TYPED_WALKS_UP_TO = 4;
/** Rows of the distance table (each at most MAX_TYPO_TERM_LENGTH + 1 cells) the typo walks of one query may compute,
 * over all its terms, and vocabulary words they may visit: about ten milliseconds at most. Once spent, the remaining
 * terms are matched as themselves and as prefixes only. */
export const MAX_WALK_ROWS = 250_000;
export const MAX_WALK_WORDS = 250_000;
/** A word shorter than this that is not the last one (it was typed to its end) matches only that very word: as a
 * prefix, one letter matches a large share of the vocabulary and its postings run into the millions on a large
 * catalog, for a word that barely narrows. The last word is being typed and keeps matching as a prefix. */
export const MIN_PREFIX_TERM_LENGTH = 2;
/** A word that matches nothing else is looked for inside longer words (a part of a compound: "strasse" in
 * "Hauptstrasse") when it has this many letters, in at most this many terms of a query (each is a pass over the
 * vocabulary's characters), finding at most this many words. */
export const MIN_INSIDE_TERM_LENGTH = 4;
export const MAX_INSIDE_SCANS = 2;
export const MAX_INSIDE_WORDS = 5000;

interface QueryBudget extends WalkBudget {
  insideScans: number;
  /** Typo walks run. */
  walks: number;
}

/** Typos forgiven in a whole word by its length as typed: none below 3 letters (too many short words are one letter
 * apart), one from 3, two from 5 (a word of 7 letters with two letters left out is 5 long). Lower than search engines'
 * defaults (Typesense 4 and 7, Lucene's AUTO 3 and 6) because matches are ranked by their distance: a two-typo match
 * only shows where nothing closer does; on the bench's real catalogs two from 5 found more two-typo queries (95.6%
 * against 94.4% in the top 3) and lost none of the others. */
export const ONE_TYPO_FROM = 3;
export const TWO_TYPOS_FROM = 5;
/** Typos forgiven in the start of a word the last term may be: fewer, as every start is many words. */
export const PREFIX_ONE_TYPO_FROM = 4;
export const PREFIX_TWO_TYPOS_FROM = 7;

const typos = (length: number, one: number, two: number) => (length >= two ? 2 : length >= one ? 1 : 0);

/** One word of a query as it is searched. */
export interface QueryTerm {
  /** Folded, at most MAX_TERM_LENGTH characters. */
  term: string;
  /** Matches vocabulary words that start with it; else only the word itself. */
  prefix: boolean;
  /** May get a typo walk (MAX_TYPO_TERMS of a query's terms get one, see SearchIndex). */
  typo: boolean;
  /** Typos forgiven in a whole word, and in a word's start (-1: starts are not matched with typos). */
  maxWord: number;
  maxPrefix: number;
}

export interface QueryPlan {
  /** The folded query (its first MAX_QUERY_LENGTH characters). */
  folded: string;
  /** The folded query without spaces, as a code being typed. */
  compact: string;
  /** The terms every result must match (AND), at most MAX_TERMS. */
  terms: QueryTerm[];
}

/** How a query is searched: the bounded terms, and which of them get the prefix match and the typo walk. */
export function planQuery(query: string): QueryPlan {
  const folded = fold(query.trim().slice(0, MAX_QUERY_LENGTH)).slice(0, MAX_FOLDED_LENGTH);
  const distinct = [...new Set(words(folded).map((w) => w.slice(0, MAX_TERM_LENGTH)))].slice(0, MAX_TERMS);
  const terms = distinct.map((term, i): QueryTerm => {
    const last = i === distinct.length - 1;
    const maxWord = typos(term.length, ONE_TYPO_FROM, TWO_TYPOS_FROM);
    const maxPrefix = typos(term.length, PREFIX_ONE_TYPO_FROM, PREFIX_TWO_TYPOS_FROM);
    const typo = maxWord > 0 && term.length <= MAX_TYPO_TERM_LENGTH;
    const prefix = term.length >= MIN_PREFIX_TERM_LENGTH || last;
    return {
      term,
      prefix,
      typo,
      maxWord: typo ? maxWord : 0,
      maxPrefix: typo && last ? maxPrefix : prefix ? 0 : -1,
    };
  });
  return { folded, compact: folded.replace(/\s+/g, ''), terms };
}

// Match qualities (a word's contribution), and field weights. A prefix scores between a two-typo start and an exact
// word, more the more of the word was typed.
const EXACT = 10;
const prefixQuality = (term: number, word: number) => 7 + (2 * term) / word;
const WORD_TYPOS = [EXACT, 6.5, 4.5] as const;
const START_TYPOS = [0, 5.5, 3.5] as const;
/** A word holding the term inside it. */
const INSIDE = 5;
const FIELD = { label: 1, detail: 0.5, code: 1.2 } as const;
const CODE_EXACT = 1000;
const CODE_PREFIX = 500;
/** The label is the query, word for word. */
const WHOLE = 6;
/** The label starts with the query's first word. */
const STARTS = 1;
/** Up to this much for a short label (1 / its words): "La Serena" above "Zalamea de la Serena". */
const SHORT = 1;

// A row's score as a histogram key (hundredths). The best a row can score is bounded because a query's terms are
// (MAX_TERMS, each at most an exact code token), so one shared histogram serves every search: a search runs to its
// end synchronously, so only one uses it at a time, and it is left zeroed.
const MAX_SCORE = CODE_EXACT + MAX_TERMS * EXACT * FIELD.code + WHOLE + STARTS + SHORT;
const MAX_SCORE_KEY = Math.round(MAX_SCORE * 100);
const scoreCounts = new Uint32Array(MAX_SCORE_KEY + 1);
const scoreKey = (score: number) => Math.min(Math.round(score * 100), MAX_SCORE_KEY);
/** Rows a catalog can have for the page's sort keys ((best - key) * ROW_SPACE + row stays an exact double). */
const ROW_SPACE = 2 ** 32;

interface WordPostings {
  label: number[];
  detail: number[];
}

/** The vocabulary words and code tokens one term matches: ranges of the sorted lists, and the typo walk's finds. */
interface TermMatch extends QueryTerm {
  /** Vocabulary words [lo, hi): those starting with the term (prefix), or the term itself. */
  lo: number;
  hi: number;
  /** The typo walk's finds, if the term had one. */
  fuzzy?: WalkResult;
  /** Words holding the term inside them, looked for only when nothing else matched it. */
  inside?: Set<number>;
  /** Code tokens [codeLo, codeHi), as for words. */
  codeLo: number;
  codeHi: number;
}

function lowerBound(sorted: readonly string[], key: string): number {
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
function prefixRange(sorted: readonly string[], prefix: string): [number, number] {
  return [lowerBound(sorted, prefix), lowerBound(sorted, `${prefix}\uffff`)];
}

/** The range of entries that start with `term` (prefix), or equal it. */
function termRange(sorted: readonly string[], term: string, prefix: boolean): [number, number] {
  if (prefix) return prefixRange(sorted, term);
  const lo = lowerBound(sorted, term);
  return [lo, sorted[lo] === term ? lo + 1 : lo];
}

/** The span of `spans` (sorted by start, not overlapping) that holds `at`, if any. */
function spanOf(spans: readonly [number, number, number][], at: number): [number, number, number] | undefined {
  let lo = 0;
  let hi = spans.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (spans[mid]![1] <= at) lo = mid + 1;
    else hi = mid;
  }
  const span = spans[lo];
  return span && span[0] <= at ? span : undefined;
}

/** What the constructor needs, computed in steps so a large catalog can be indexed without blocking. */
interface IndexData {
  vocab: string[];
  lexicon: Lexicon;
  postings: WordPostings[];
  codeTokens: string[];
  codeTokenRows: number[][];
  codes: string[];
  codeRows: Int32Array;
  /** Per row: its label's distinct words (at most 255), the vocabulary index of its label's first word, and a hash
   * of its folded words (the whole label, however long, compared with the whole query). */
  labelWords: Uint8Array;
  firstWord: Int32Array;
  labelHash: Uint32Array;
}

/** FNV-1a of a text's folded words, space-separated. */
function wordsHash(folded: readonly string[]): number {
  let h = 0x811c9dc5;
  for (let w = 0; w < folded.length; w++) {
    if (w > 0) h = Math.imul(h ^ 32, 0x01000193);
    const word = folded[w]!;
    for (let i = 0; i < word.length; i++) h = Math.imul(h ^ word.charCodeAt(i), 0x01000193);
  }
  return h >>> 0;
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
  const labelWords = new Uint8Array(n);
  const labelHash = new Uint32Array(n);
  const first = new Array<string>(n);
  for (let i = 0; i < n; i++) {
    const r = rows[i]!;
    const label = words(fold(r.label));
    for (const w of label) add(w, i, 'label');
    labelWords[i] = Math.min(new Set(label).size, 255);
    labelHash[i] = wordsHash(label);
    first[i] = label[0] ?? '';
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
  const firstWord = new Int32Array(n);
  for (let i = 0; i < n; i++) firstWord[i] = first[i] ? lowerBound(sortedVocab, first[i]!) : -1;
  const lexicon = packLexicon(sortedVocab);
  yield;
  return {
    vocab: sortedVocab,
    lexicon,
    postings: sortedVocab.map((w) => vocab.get(w)!),
    codeTokens: sortedTokens,
    codeTokenRows: sortedTokens.map((t) => codeTokens.get(t)!),
    codes: codes.map((c) => c[0]),
    codeRows: Int32Array.from(codes, (c) => c[1]),
    labelWords,
    firstWord,
    labelHash,
  };
}

export class SearchIndex<T extends IndexedRow> {
  readonly rows: readonly T[];
  readonly #n: number;
  readonly #vocab: string[];
  readonly #lexicon: Lexicon;
  readonly #postings: WordPostings[];
  /** Code tokens ("prj", "1042") sorted, with the rows that carry them. */
  readonly #codeTokens: string[];
  readonly #codeTokenRows: number[][];
  /** Whole folded codes sorted, with their row. */
  readonly #codes: string[];
  readonly #codeRows: Int32Array;
  readonly #longestCode: number;
  readonly #labelWords: Uint8Array;
  readonly #firstWord: Int32Array;
  readonly #labelHash: Uint32Array;
  readonly #acc: Float32Array;
  readonly #term: Float32Array;
  /** Per row, for the query being searched: terms matched exactly in the label; the first term matched its first
   * word. */
  readonly #exact: Uint8Array;
  readonly #starts: Uint8Array;
  /** Rows that match every term so far, for the AND. */
  readonly #candidates: Int32Array;
  /** Rows of #term set by the last #scoreTerm. */
  readonly #touched: Int32Array;
  #lastWork = { rows: 0, words: 0, walks: 0, postings: 0 };

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
    this.#lexicon = data.lexicon;
    this.#postings = data.postings;
    this.#codeTokens = data.codeTokens;
    this.#codeTokenRows = data.codeTokenRows;
    this.#codes = data.codes;
    this.#codeRows = data.codeRows;
    this.#labelWords = data.labelWords;
    this.#firstWord = data.firstWord;
    this.#labelHash = data.labelHash;
    this.#longestCode = data.codes.reduce((max, c) => Math.max(max, c.length), 0);
    this.#acc = new Float32Array(this.#n);
    this.#term = new Float32Array(this.#n);
    this.#exact = new Uint8Array(this.#n);
    this.#starts = new Uint8Array(this.#n);
    this.#candidates = new Int32Array(this.#n);
    this.#touched = new Int32Array(this.#n);
  }

  /** What the last search spent: rows of the typo walks' distance tables, vocabulary words they visited, the walks,
   * and the row entries its terms were to visit. */
  get lastWork(): Readonly<{ rows: number; words: number; walks: number; postings: number }> {
    return this.#lastWork;
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

  /** Vocabulary words and code tokens matching each query term. The typo walks go first to the terms nothing
   * matches as typed (most likely mistyped), then (in a short query) to the others in the order typed, at most
   * MAX_TYPO_TERMS of them;
   * a term still unmatched is looked for inside longer words. All of it spends from the query's `budget`. */
  #matchTerms(terms: readonly QueryTerm[], budget: QueryBudget): TermMatch[] {
    const matches = terms.map((t): TermMatch => {
      const [lo, hi] = termRange(this.#vocab, t.term, t.prefix);
      const [codeLo, codeHi] = termRange(this.#codeTokens, t.term, t.prefix);
      return { ...t, lo, hi, codeLo, codeHi };
    });
    const typed = (m: TermMatch) => m.hi > m.lo || m.codeHi > m.codeLo;
    // In a long query the words found as typed already pick the rows; their walks would only cost.
    const short = terms.length <= TYPED_WALKS_UP_TO;
    const order = [...matches.keys()].filter((i) => matches[i]!.typo && (short || !typed(matches[i]!)));
    order.sort((x, y) => Number(typed(matches[x]!)) - Number(typed(matches[y]!)) || x - y);
    for (const i of order.slice(0, MAX_TYPO_TERMS)) {
      const m = matches[i]!;
      if (budget.rows <= 0 || budget.words <= 0) break;
      budget.walks++;
      m.fuzzy = fuzzyWalk(
        this.#lexicon,
        m.term,
        { maxWord: m.maxWord, maxPrefix: m.maxPrefix > 0 ? m.maxPrefix : -1 },
        budget,
      );
    }
    for (const m of matches) {
      if (typed(m) || (m.fuzzy && (m.fuzzy.words.size > 0 || m.fuzzy.spans.length > 0))) continue;
      if (m.term.length < MIN_INSIDE_TERM_LENGTH || budget.insideScans <= 0) continue;
      budget.insideScans--;
      m.inside = new Set(wordsHolding(this.#lexicon, m.term, MAX_INSIDE_WORDS));
    }
    return matches;
  }

  /** How many row entries scoring a term visits. */
  #postingsOf(m: TermMatch): number {
    let size = 0;
    const add = (word: number) => {
      const p = this.#postings[word]!;
      size += p.label.length + p.detail.length;
    };
    for (let i = m.lo; i < m.hi; i++) add(i);
    if (m.fuzzy) {
      for (const [lo, hi] of m.fuzzy.spans) for (let i = lo; i < hi; i++) if (i < m.lo || i >= m.hi) add(i);
      for (const [i, edits] of m.fuzzy.words) if (edits > 0) add(i);
    }
    if (m.inside) for (const i of m.inside) add(i);
    for (let i = m.codeLo; i < m.codeHi; i++) size += this.#codeTokenRows[i]!.length;
    return size;
  }

  /** Whether a term matched anything at all (a word, a start, a typo, a word holding it, a code token). */
  static #found(m: TermMatch): boolean {
    const fuzzy = m.fuzzy ? m.fuzzy.words.size > 0 || m.fuzzy.spans.length > 0 : false;
    return m.hi > m.lo || fuzzy || (m.inside?.size ?? 0) > 0 || m.codeHi > m.codeLo;
  }

  /** Scores the rows one term matches into #term, listing them in #touched (returns how many), flagging exact label
   * words and a matched first word. The caller sets #term back to 0 for the listed rows. */
  #scoreTerm(m: TermMatch, first: boolean): number {
    const s = this.#term;
    const touched = this.#touched;
    let count = 0;
    const exact = this.#exact;
    const starts = this.#starts;
    const firstWord = this.#firstWord;
    const set = (row: number, q: number) => {
      const was = s[row]!;
      if (was === 0) touched[count++] = row;
      if (was < q) s[row] = q;
    };
    const mark = (word: number, quality: number) => {
      const p = this.#postings[word]!;
      const label = quality * FIELD.label;
      const detail = quality * FIELD.detail;
      for (const row of p.label) {
        set(row, label);
        if (first && firstWord[row] === word) starts[row] = 1;
      }
      for (const row of p.detail) set(row, detail);
    };
    const vocab = this.#vocab;
    const len = m.term.length;
    const quality = (word: number) => (vocab[word] === m.term ? EXACT : prefixQuality(len, vocab[word]!.length));
    for (let i = m.lo; i < m.hi; i++) mark(i, quality(i));
    if (m.fuzzy) {
      for (const [lo, hi, edits] of m.fuzzy.spans) {
        for (let i = lo; i < hi; i++) if (i < m.lo || i >= m.hi) mark(i, edits ? START_TYPOS[edits]! : quality(i));
      }
      for (const [i, edits] of m.fuzzy.words) if (edits > 0) mark(i, WORD_TYPOS[edits]!);
    }
    if (m.inside) for (const i of m.inside) mark(i, INSIDE);
    // Exact label words, counted once per term (the exact word is in [lo, hi) or is the term itself).
    const at = termRange(vocab, m.term, false);
    if (at[1] > at[0]) for (const row of this.#postings[at[0]]!.label) exact[row]!++;
    for (let i = m.codeLo; i < m.codeHi; i++) {
      const q = (this.#codeTokens[i] === m.term ? EXACT : PREFIX_CODE) * FIELD.code;
      for (const row of this.#codeTokenRows[i]!) set(row, q);
    }
    return count;
  }

  /** Sets #term back to 0 for the `count` rows #scoreTerm listed. */
  #clearTerm(count: number) {
    const s = this.#term;
    const touched = this.#touched;
    for (let k = 0; k < count; k++) s[touched[k]!] = 0;
  }

  /** The ranking bonuses of one row (see WHOLE, STARTS, SHORT); `whole` is the hash of the query's words. */
  #bonus(row: number, terms: number, whole: number, query: readonly string[]): number {
    const count = this.#labelWords[row]!;
    const exact = this.#exact[row]!;
    const same =
      (exact === terms && exact === count) ||
      (this.#labelHash[row] === whole && words(fold(this.rows[row]!.label)).join(' ') === query.join(' '));
    return (same ? WHOLE : 0) + (this.#starts[row] ? STARTS : 0) + (count ? SHORT / count : 0);
  }

  /**
   * One page of results. `accept` (optional) drops rows a context filter excludes; they do not count in total.
   */
  search(query: string, offset: number, limit: number, accept?: (row: T) => boolean): IndexPage {
    const { compact, folded: q, terms } = planQuery(query);
    const n = this.#n;
    offset = Math.max(0, Math.floor(offset) || 0);
    limit = Math.max(0, Math.floor(limit) || 0);
    this.#lastWork = { rows: 0, words: 0, walks: 0, postings: 0 };
    // Nothing typed, or only what folds to spaces (a lone "´").
    if (!compact) {
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
    // #acc is left zeroed by every search (see the end of this one).
    const acc = this.#acc;
    this.#exact.fill(0);
    this.#starts.fill(0);
    const budget: QueryBudget = {
      rows: MAX_WALK_ROWS,
      words: MAX_WALK_WORDS,
      insideScans: MAX_INSIDE_SCANS,
      walks: 0,
    };
    const matches = this.#matchTerms(terms, budget);
    // A term that matched nothing anywhere says nothing about any row: it is left out rather than emptying the AND.
    // So is one whose rows would take the query past its share of postings (a hostile query of frequent starts).
    let postings = MAX_POSTINGS;
    const sizes = new Map<TermMatch, number>();
    const scored = matches.filter((m) => {
      if (!SearchIndex.#found(m)) return false;
      const size = this.#postingsOf(m);
      if (size > postings) return false;
      postings -= size;
      sizes.set(m, size);
      return true;
    });
    // Every word must match somewhere in the row (AND); scores add up. Once no row is left, the rest are not scored.
    // The rows still in the running are listed, so a later term visits them rather than every row.
    const candidates = this.#candidates;
    const s = this.#term;
    const touched = this.#touched;
    let left = 0;
    let alive = scored.length > 0;
    for (let t = 0; t < scored.length && alive; t++) {
      const count = this.#scoreTerm(scored[t]!, scored[t] === matches[0]);
      if (t === 0) {
        for (let k = 0; k < count; k++) {
          const i = touched[k]!;
          acc[i] = s[i]!;
          candidates[left++] = i;
        }
      } else {
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
      this.#clearTerm(count);
      alive = left > 0;
    }
    if (!alive && scored.length > 1) {
      // No row has every word: the rows with the most of them, each word adding its score (a word the label does
      // not have, or one mistyped into another real word, no longer hides the rest).
      this.#exact.fill(0);
      this.#starts.fill(0);
      left = 0;
      for (const m of scored) {
        // The second pass spends from the same share: the terms it has no room for are left out of it.
        const size = sizes.get(m)!;
        if (size > postings) continue;
        postings -= size;
        const count = this.#scoreTerm(m, m === matches[0]);
        for (let k = 0; k < count; k++) {
          const i = touched[k]!;
          if (acc[i] === 0) candidates[left++] = i;
          acc[i] = acc[i]! + s[i]!;
        }
        this.#clearTerm(count);
      }
      alive = left > 0;
    }
    if (alive) {
      const all = words(q);
      const whole = wordsHash(all);
      for (let k = 0; k < left; k++) acc[candidates[k]!]! += this.#bonus(candidates[k]!, scored.length, whole, all);
    }
    // The whole query as a code, or the start of one, ranks first.
    if (!alive) left = 0;
    for (let k = lo; k < hi; k++) {
      const row = this.#codeRows[k]!;
      if (acc[row] === 0) candidates[left++] = row;
      acc[row] = acc[row]! + (this.#codes[k] === compact ? CODE_EXACT : CODE_PREFIX);
    }
    this.#lastWork = {
      rows: MAX_WALK_ROWS - budget.rows,
      words: MAX_WALK_WORDS - budget.words,
      walks: budget.walks,
      postings: MAX_POSTINGS - postings,
    };
    try {
      return this.#page(acc, left, offset, limit, matches, compact, accept);
    } finally {
      // Left zeroed for the next search, even when `accept` throws.
      for (let k = 0; k < left; k++) acc[candidates[k]!] = 0;
    }
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
    // The exact code (or codes equal once folded) first, the shortest in the range; then the rest in row order, which
    // is code order as the catalog sorts it (numbers by value), not the folded codes' string order.
    let exact = lo;
    while (exact < hi && this.#codes[exact] === compact) exact++;
    const take = (row: number) => {
      if (accept && !accept(this.rows[row]!)) return;
      if (total >= offset && hits.length < limit) {
        const code = foldMapped(this.rows[row]!.code);
        hits.push({ index: row, highlight: { code: [[code.start[0]!, code.end[compact.length - 1]!]] } });
      }
      total++;
    };
    for (const row of this.#codeRows.slice(lo, exact).sort()) take(row);
    if (hi - exact < this.#n >> 4) {
      for (const row of this.#codeRows.slice(exact, hi).sort()) take(row);
    } else {
      // Many codes (a short start): marked, then read in row order, rather than sorted.
      const marked = this.#starts;
      for (let k = exact; k < hi; k++) marked[this.#codeRows[k]!] = 1;
      try {
        for (let row = 0; row < this.#n; row++) {
          if (!marked[row]) continue;
          marked[row] = 0;
          take(row);
        }
      } catch (e) {
        // Left clean for the next search when a context filter throws (the loop clears each mark it reads).
        marked.fill(0);
        throw e;
      }
    }
    return { hits, total };
  }

  /** Ranks the `count` rows listed in #candidates (their scores in `acc`) by score, ties in row (code) order, without
   * sorting every match: a histogram finds the lowest score on the page, and only the rows at or above it are sorted. */
  #page(
    acc: Float32Array,
    count: number,
    offset: number,
    limit: number,
    matches: TermMatch[],
    compact: string,
    accept?: (row: T) => boolean,
  ): IndexPage {
    const rows = this.#candidates;
    const counts = scoreCounts;
    const keys: number[] = [];
    let total = 0;
    try {
      for (let k = 0; k < count; k++) {
        const i = rows[k]!;
        const s = acc[i]!;
        if (s <= 0) continue;
        if (accept && !accept(this.rows[i]!)) {
          acc[i] = 0;
          continue;
        }
        const key = scoreKey(s);
        const c = counts[key]!;
        if (c === 0) keys.push(key);
        counts[key] = c + 1;
        total++;
      }
    } catch (e) {
      // The histogram is shared by every index: left zeroed whatever happens.
      for (const k of keys) counts[k] = 0;
      throw e;
    }
    keys.sort((a, b) => b - a);
    const wanted = offset + limit;
    // The best scores that hold the first `wanted` rows, and the lowest of them.
    let seen = 0;
    let taken = 0;
    for (const k of keys) {
      if (seen >= wanted) break;
      seen += counts[k]!;
      taken++;
    }
    for (const k of keys) counts[k] = 0;
    const cut = keys[taken - 1] ?? Infinity;
    // Rows at or above the cut, sorted by score (high first), then row: one number each, (best - key) then row.
    const order = new Float64Array(seen);
    let at = 0;
    for (let k = 0; k < count && at < seen; k++) {
      const i = rows[k]!;
      const s = acc[i]!;
      if (s <= 0) continue;
      const key = scoreKey(s);
      if (key >= cut) order[at++] = (MAX_SCORE_KEY - key) * ROW_SPACE + i;
    }
    order.sort();
    const hits: IndexHit[] = [];
    for (let k = offset; k < Math.min(wanted, at); k++) {
      const index = order[k]! % ROW_SPACE;
      hits.push({ index, highlight: this.#highlight(this.rows[index]!, matches, compact) });
    }
    return { hits, total };
  }

  #highlight(row: T, matches: TermMatch[], compact: string): Highlight {
    const h: Highlight = {};
    const mark = (text: string | undefined, field: 'code' | 'label' | 'detail', codeStart = 0) => {
      if (!text) return;
      const { folded, start, end } = foldMapped(text);
      const ranges: [number, number][] = codeStart ? [[0, codeStart]] : [];
      for (const m of folded.matchAll(WORD)) {
        const w = m[0];
        // The word's place in the vocabulary, looked up once and only for the typo walk's finds.
        let at: number | undefined;
        for (const t of matches) {
          let len = 0;
          if (t.prefix ? w.startsWith(t.term) : w === t.term) len = t.term.length;
          else if (field !== 'code' && t.fuzzy) {
            at ??= lowerBound(this.#vocab, w);
            // A word with a typo is marked whole; a word whose start is near the term, as far as the term goes.
            if (this.#vocab[at] !== w) len = 0;
            else if (t.fuzzy.words.has(at)) len = w.length;
            else if (spanOf(t.fuzzy.spans, at)) len = Math.min(t.term.length, w.length);
          }
          let from = 0;
          if (!len && field !== 'code' && t.inside?.size) {
            at ??= lowerBound(this.#vocab, w);
            if (this.#vocab[at] === w && t.inside.has(at)) [from, len] = [w.indexOf(t.term), t.term.length];
          }
          if (len) ranges.push([m.index + from, m.index + from + len]);
        }
      }
      // Merged again in the original text: two folded words can come from one character ("½" is "1⁄2").
      if (ranges.length)
        h[field] = mergeRanges(mergeRanges(ranges).map(([a, b]): [number, number] => [start[a]!, end[b - 1]!]));
    };
    const code = fold(row.code);
    mark(row.code, 'code', compact && code.startsWith(compact) ? compact.length : 0);
    mark(row.label, 'label');
    mark(row.detail, 'detail');
    return h;
  }
}

/** A code token the term starts: scored as a prefix of a label word would be at most. */
const PREFIX_CODE = 8;

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
