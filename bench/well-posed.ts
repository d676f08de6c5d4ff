// Whether a generated query has one right answer. A query made from part of a label (a prefix, a word left out, two
// of its words) can fit other rows exactly as well: "university of" fits hundreds of universities, "contact avec" a
// hundred ICD-10 rows, and "hiroshima university" (Hiroshima Women's University with a word left out) is the label of
// another row. No search can put "the intended row" first for those, so the bench reports them apart: a query is
// well-posed when, typed without its typos, no row with another label fits it as well as the intended one
// (for a prefix: no other label starts with it; for words: no other label has all of them). Queries made from the
// whole label (exact, typos, accents, reordered) are well-posed: the label itself is the best answer.
import type { CatalogItem } from '../src/contract/api.ts';
import { fold } from './real-queries.ts';

const WORD = /[\p{L}\p{N}]+/gu;
const wordsOf = (s: string) => fold(s).match(WORD) ?? [];
const key = (s: string) => wordsOf(s).join(' ');

export class Ambiguity {
  readonly #labels: string[];
  readonly #sorted: string[];
  readonly #rowsOf = new Map<string, number[]>();

  constructor(rows: readonly CatalogItem[]) {
    this.#labels = rows.map((r) => key(r.label));
    this.#sorted = [...this.#labels].sort();
    this.#labels.forEach((label, row) => {
      for (const w of new Set(label.split(' '))) {
        let list = this.#rowsOf.get(w);
        if (!list) this.#rowsOf.set(w, (list = []));
        list.push(row);
      }
    });
  }

  /** Whether another label than `label` starts with `prefix` (both compared as their folded words). */
  otherStartsWith(prefix: string, label: string): boolean {
    const p = key(prefix);
    const own = key(label);
    let lo = 0;
    let hi = this.#sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.#sorted[mid]! < p) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < this.#sorted.length && this.#sorted[i]!.startsWith(p); i++)
      if (this.#sorted[i] !== own) return true;
    return false;
  }

  /** Whether another label than `label` has every one of `words`. */
  otherHasAll(words: string, label: string): boolean {
    const wanted = [...new Set(wordsOf(words))];
    const own = key(label);
    const lists = wanted.map((w) => this.#rowsOf.get(w) ?? []).sort((a, b) => a.length - b.length);
    if (!lists.length) return false;
    const rest = lists.slice(1).map((l) => new Set(l));
    return lists[0]!.some((row) => this.#labels[row] !== own && rest.every((s) => s.has(row)));
  }
}
