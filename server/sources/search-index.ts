// Fast, forgiving search over {code, label, detail} rows. uFuzzy matches each query word against the catalog's
// vocabulary (typo-tolerant, accents and case folded); an inverted index maps words to rows, so a query scans
// the vocabulary rather than every row; codes are found by binary search. Ranking: a code equal to, then
// starting with, the query; then rows matching every query word, best matches first; ties in code order.
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

// Match qualities (a word's contribution), and field weights.
const EXACT = 10;
const PREFIX = 8;
const INSIDE = 5;
const TYPO = 4;
const FIELD = { label: 1, detail: 0.5, code: 1.2 } as const;
const CODE_EXACT = 1000;
const CODE_PREFIX = 500;

interface WordPostings {
  label: number[];
  detail: number[];
}

interface TermMatch {
  term: string;
  /** vocabulary word -> quality */
  words: Map<string, number>;
  codeTokens: Set<string>;
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
  const codes: [string, number][] = new Array(n);
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
  readonly #uf = new uFuzzy({ intraMode: 1, interIns: Infinity });
  readonly #acc: Float32Array;
  readonly #term: Float32Array;

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
    this.#acc = new Float32Array(this.#n);
    this.#term = new Float32Array(this.#n);
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

  /** Vocabulary words matching one query term, with their quality. */
  #matchTerm(term: string): TermMatch {
    const found = new Map<string, number>();
    const [lo, hi] = prefixRange(this.#vocab, term);
    for (let i = lo; i < hi; i++) found.set(this.#vocab[i]!, this.#vocab[i] === term ? EXACT : PREFIX);
    // Short terms match word starts only; longer ones also inside words and with one typo.
    if (term.length >= 3) {
      for (const i of this.#uf.filter(this.#vocab, term) ?? []) {
        const w = this.#vocab[i]!;
        if (!found.has(w)) found.set(w, w.includes(term) ? INSIDE : TYPO);
      }
    }
    const codeTokens = new Set<string>();
    const [clo, chi] = prefixRange(this.#codeTokens, term);
    for (let i = clo; i < chi; i++) codeTokens.add(this.#codeTokens[i]!);
    return { term, words: found, codeTokens };
  }

  /** Scores every row for one term into #term (0 = no match); returns whether anything matched. */
  #scoreTerm(m: TermMatch): boolean {
    const s = this.#term;
    s.fill(0);
    let any = false;
    for (const [word, quality] of m.words) {
      const p = this.#postings[lowerBound(this.#vocab, word)]!;
      const label = quality * FIELD.label;
      const detail = quality * FIELD.detail;
      for (const row of p.label) if (s[row]! < label) s[row] = label;
      for (const row of p.detail) if (s[row]! < detail) s[row] = detail;
      any = true;
    }
    for (const token of m.codeTokens) {
      const q = (token === m.term ? EXACT : PREFIX) * FIELD.code;
      for (const row of this.#codeTokenRows[lowerBound(this.#codeTokens, token)]!) if (s[row]! < q) s[row] = q;
      any = true;
    }
    return any;
  }

  /**
   * One page of results. `accept` (optional) drops rows a context filter excludes; they do not count in total.
   */
  search(query: string, offset: number, limit: number, accept?: (row: T) => boolean): IndexPage {
    const q = fold(query.trim());
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
    const compact = q.replace(/\s+/g, '');
    const [lo, hi] = prefixRange(this.#codes, compact);
    if (hi > lo && /\p{L}/u.test(compact) && /[\d\-_./]/.test(compact)) {
      const page = this.#codeRange(lo, hi, offset, limit, compact, accept);
      if (page.total > 0) return page;
    }
    const acc = this.#acc;
    acc.fill(0);
    const terms = [...new Set(words(q))];
    const matches = terms.map((t) => this.#matchTerm(t));
    // Every word must match somewhere in the row (AND); scores add up.
    let alive = terms.length > 0;
    for (let t = 0; t < matches.length && alive; t++) {
      alive = this.#scoreTerm(matches[t]!);
      const s = this.#term;
      if (t === 0) acc.set(s);
      else for (let i = 0; i < n; i++) acc[i] = acc[i]! > 0 && s[i]! > 0 ? acc[i]! + s[i]! : 0;
    }
    if (!alive) acc.fill(0);
    // The whole query as a code, or the start of one, ranks first.
    for (let k = lo; k < hi; k++) {
      const row = this.#codeRows[k]!;
      acc[row] = acc[row]! + (this.#codes[k] === compact ? CODE_EXACT : CODE_PREFIX);
    }
    return this.#page(acc, offset, limit, matches, compact, accept);
  }

  #codeRange(lo: number, hi: number, offset: number, limit: number, compact: string, accept?: (row: T) => boolean): IndexPage {
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
  #page(acc: Float32Array, offset: number, limit: number, matches: TermMatch[], compact: string, accept?: (row: T) => boolean): IndexPage {
    const n = this.#n;
    const counts = new Map<number, number>();
    let total = 0;
    for (let i = 0; i < n; i++) {
      const s = acc[i]!;
      if (s <= 0) continue;
      if (accept && !accept(this.rows[i]!)) {
        acc[i] = 0;
        continue;
      }
      const key = Math.round(s * 100);
      counts.set(key, (counts.get(key) ?? 0) + 1);
      total++;
    }
    const wanted = offset + limit;
    const keys = [...counts.keys()].sort((a, b) => b - a);
    const needed = new Set<number>();
    let seen = 0;
    for (const k of keys) {
      if (seen >= wanted) break;
      needed.add(k);
      seen += counts.get(k)!;
    }
    const buckets = new Map<number, number[]>([...needed].map((k) => [k, []]));
    for (let i = 0; i < n; i++) {
      const s = acc[i]!;
      if (s <= 0) continue;
      const bucket = buckets.get(Math.round(s * 100));
      if (bucket && bucket.length < wanted) bucket.push(i);
    }
    const ordered = keys.filter((k) => needed.has(k)).flatMap((k) => buckets.get(k)!);
    const hits = ordered.slice(offset, wanted).map((index) => ({ index, highlight: this.#highlight(this.rows[index]!, matches, compact) }));
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
        for (const t of matches) {
          const quality = field === 'code' ? (t.codeTokens.has(w) ? PREFIX : 0) : t.words.get(w) ?? 0;
          if (!quality) continue;
          const at = quality === TYPO ? 0 : w.indexOf(t.term);
          const len = quality === TYPO ? w.length : t.term.length;
          ranges.push([m.index + at, m.index + at + len]);
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
