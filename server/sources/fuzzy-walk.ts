// Typo-tolerant lookup of one word in a sorted vocabulary: every word within an edit distance of it (Damerau, the
// optimal-string-alignment form: a substitution, deletion, insertion or swap of two neighbouring letters costs one,
// the first letter included), and for a word being typed every word that starts with something that close to it.
// The sorted vocabulary is walked as the trie it implies: neighbouring words share their prefix's rows of the
// distance table, and a prefix no continuation of which can come close enough is skipped by a scan of the bytes
// that say how long a prefix each word shares with the one before. The words are kept as one array of characters
// in that order, so a walk reads memory front to back. The work is bounded: the table is at most (term + distance)
// rows deep, and the caller's budget caps the rows computed and the words visited.

/** Where a walk may spend: rows of the distance table computed, and vocabulary words visited. */
export interface WalkBudget {
  rows: number;
  words: number;
}

export interface WalkOptions {
  /** Most edits for a whole word to match (0 to 2). */
  maxWord: number;
  /** Most edits for a word's start to match the term (0 to 2); -1 for no prefix matching. */
  maxPrefix: number;
}

/** What a walk found: single words with their distance, and ranges of words whose start is that close. */
export interface WalkResult {
  /** Vocabulary index -> edits, for words that match whole. */
  words: Map<number, number>;
  /** [lo, hi, edits]: words lo..hi-1 all start with something `edits` away from the term (and match no better whole). */
  spans: [number, number, number][];
  /** The budget ran out before the walk ended: what was found is kept, the rest was not looked at. */
  cut: boolean;
}

/** A sorted vocabulary packed for walking: its characters end to end, where each word starts, and how many leading
 * characters each word shares with the word before it (at most 255). */
export interface Lexicon {
  size: number;
  chars: Uint16Array;
  offsets: Uint32Array;
  shared: Uint8Array;
}

/** Packs `sorted` (sorted, distinct words). */
export function packLexicon(sorted: readonly string[]): Lexicon {
  const size = sorted.length;
  const offsets = new Uint32Array(size + 1);
  for (let i = 0; i < size; i++) offsets[i + 1] = offsets[i]! + sorted[i]!.length;
  const chars = new Uint16Array(offsets[size]!);
  const shared = new Uint8Array(size);
  for (let i = 0; i < size; i++) {
    const w = sorted[i]!;
    const at = offsets[i]!;
    for (let c = 0; c < w.length; c++) chars[at + c] = w.charCodeAt(c);
    if (i > 0) {
      const p = sorted[i - 1]!;
      const most = Math.min(p.length, w.length, 255);
      let l = 0;
      while (l < most && p.charCodeAt(l) === w.charCodeAt(l)) l++;
      shared[i] = l;
    }
  }
  return { size, chars, offsets, shared };
}

/**
 * Words of the lexicon within the options' distances of `term`. Exact matches are found too (distance 0).
 * Spends from `budget`; stops where it runs out.
 */
export function fuzzyWalk(
  { size: n, chars, offsets, shared }: Lexicon,
  term: string,
  { maxWord, maxPrefix }: WalkOptions,
  budget: WalkBudget,
): WalkResult {
  const words = new Map<number, number>();
  const spans: [number, number, number][] = [];
  const m = term.length;
  const k = Math.max(maxWord, maxPrefix);
  // No word deeper than this can match whole, and a deeper start only moves away from the term.
  const depth = m + k;
  const width = m + 1;
  const rows = new Int32Array((depth + 1) * width);
  // best[d]: the fewest edits from the term to any start of the current word of length <= d.
  const best = new Int32Array(depth + 1);
  for (let j = 0; j <= m; j++) rows[j] = j;
  best[0] = m;
  const q = new Int32Array(m);
  for (let j = 0; j < m; j++) q[j] = term.charCodeAt(j);
  /** Past the words from `i` on that share the current word's first `d` characters. */
  const skip = (i: number, d: number) => {
    let j = i + 1;
    while (j < n && shared[j]! >= d) j++;
    return j;
  };

  let valid = 0;
  let i = 0;
  let rowsLeft = budget.rows;
  let wordsLeft = budget.words;
  let cut = false;
  while (i < n) {
    if (wordsLeft <= 0 || rowsLeft <= 0) {
      cut = true;
      break;
    }
    wordsLeft--;
    const at = offsets[i]!;
    const length = offsets[i + 1]! - at;
    const end = length < depth ? length : depth;
    let d = Math.min(shared[i]!, valid, end);
    let pruned = false;
    while (d < end) {
      rowsLeft--;
      d++;
      // Row d of the table for this word; rows 0..d-1 hold its prefix.
      const c = chars[at + d - 1]!;
      const prev = d > 1 ? chars[at + d - 2]! : -1;
      const row = d * width;
      const up = row - width;
      const up2 = up - width;
      rows[row] = d;
      let min = d;
      for (let j = 1; j <= m; j++) {
        const same = q[j - 1] === c;
        let v = rows[up + j - 1]! + (same ? 0 : 1);
        const del = rows[up + j]! + 1;
        if (del < v) v = del;
        const ins = rows[row + j - 1]! + 1;
        if (ins < v) v = ins;
        if (!same && j > 1 && q[j - 1] === prev && q[j - 2] === c) {
          const swap = rows[up2 + j - 2]! + 1;
          if (swap < v) v = swap;
        }
        rows[row + j] = v;
        if (v < min) min = v;
      }
      const last = rows[row + m]!;
      best[d] = last < best[d - 1]! ? last : best[d - 1]!;
      if (min > k) {
        pruned = true;
        break;
      }
    }
    if (pruned) {
      // Nothing under this word's first d characters comes within k; its words still start close enough if a
      // shorter start did.
      const hi = skip(i, d);
      if (maxPrefix >= 0 && best[d - 1]! <= maxPrefix) spans.push([i, hi, best[d - 1]!]);
      valid = d - 1;
      i = hi;
      continue;
    }
    valid = d;
    if (length > depth) {
      // Every word under the first `depth` characters is too long to match whole, and its start is as close as it
      // will get.
      const hi = skip(i, depth);
      if (maxPrefix >= 0 && best[depth]! <= maxPrefix) spans.push([i, hi, best[depth]!]);
      i = hi;
      continue;
    }
    const whole = rows[length * width + m]!;
    const start = best[length]!;
    if (whole <= maxWord) words.set(i, whole);
    // A word can start closer to the term than it is whole ("sere" starts "seres"): both are said.
    if (maxPrefix >= 0 && start <= maxPrefix && !(whole <= maxWord && whole <= start)) spans.push([i, i + 1, start]);
    i++;
  }
  budget.rows = rowsLeft;
  budget.words = wordsLeft;
  return { words, spans, cut };
}

/**
 * Words of the lexicon that hold `term` after their first letter (a part of a compound: "strasse" in
 * "hauptstrasse"), at most `most` of them: one pass over the packed characters, each read once, whatever the term.
 */
export function wordsHolding({ size, chars, offsets }: Lexicon, term: string, most: number): number[] {
  const found: number[] = [];
  const m = term.length;
  const t = Array.from({ length: m }, (_, j) => term.charCodeAt(j));
  // Knuth-Morris-Pratt: after a mismatch the match goes on from the longest start of the term that is also an end of
  // what matched, so each character is read once whatever the term repeats.
  const back = new Int32Array(m);
  for (let j = 1, k = 0; j < m; j++) {
    while (k > 0 && t[j] !== t[k]) k = back[k - 1]!;
    if (t[j] === t[k]) k++;
    back[j] = k;
  }
  const total = chars.length;
  let word = 0;
  let matched = 0;
  for (let p = 0; p < total && found.length < most; p++) {
    const c = chars[p]!;
    while (matched > 0 && c !== t[matched]) matched = back[matched - 1]!;
    if (c === t[matched]) matched++;
    if (matched < m) continue;
    const start = p - m + 1;
    matched = back[m - 1]!;
    while (word + 1 < size && offsets[word + 1]! <= start) word++;
    // Inside one word, not at its start (a start is a prefix, found otherwise), and not across two words.
    if (start > offsets[word]! && p < offsets[word + 1]! && found[found.length - 1] !== word) found.push(word);
  }
  return found;
}
