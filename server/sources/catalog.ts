// The catalog data source: a CSV or JSON file of {code, label, detail?} rows, searched with MiniSearch.
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import MiniSearch from 'minisearch';
import { z } from 'zod';
import { CONCUR_VALUE_MAX, type CatalogItem, type SearchResponse } from '../../src/contract/api.js';

const Row = z.object({
  code: z.string().trim().min(1, 'code is empty').max(CONCUR_VALUE_MAX, `code is longer than ${CONCUR_VALUE_MAX} characters, the most Concur stores`),
  label: z.string().trim().min(1, 'label is empty'),
  detail: z.string().trim().optional().transform((v) => v || undefined),
});

export interface RowProblem {
  line: number;
  message: string;
}

/** Folds case and accents so "Zurich" finds "Zürich". */
const fold = (term: string) => term.normalize('NFD').replace(/\p{Diacritic}/gu, '').toLowerCase();

export class Catalog {
  readonly #items: CatalogItem[];
  readonly #byCode: Map<string, CatalogItem>;
  readonly #index: MiniSearch<CatalogItem & { id: number }>;
  /** Rows skipped because they failed validation, by line number in the file. */
  readonly problems: RowProblem[];

  constructor(items: CatalogItem[], problems: RowProblem[] = []) {
    this.#items = [...items].sort((a, b) => a.code.localeCompare(b.code, 'en', { numeric: true }));
    this.#byCode = new Map(this.#items.map((i) => [i.code, i]));
    this.problems = problems;
    this.#index = new MiniSearch({
      fields: ['code', 'label', 'detail'],
      storeFields: [],
      processTerm: (term) => fold(term),
      searchOptions: { prefix: true, fuzzy: 0.2, boost: { code: 2, label: 1.5 }, combineWith: 'AND' },
    });
    this.#index.addAll(this.#items.map((item, id) => ({ ...item, id })));
  }

  get size(): number {
    return this.#items.length;
  }

  byCode(code: string): CatalogItem | undefined {
    return this.#byCode.get(code);
  }

  search(query: string, limit: number): SearchResponse {
    const q = query.trim();
    if (!q) return { query, items: this.#items.slice(0, limit), total: this.#items.length };
    // A code equal to, then starting with, what was typed is what the user means, whatever the fuzzy score
    // says; those come first in code order (the items are sorted by code), the rest by relevance.
    const folded = fold(q);
    const hits = this.#index.search(q).map((h) => {
      const id = h.id as number;
      const code = fold(this.#items[id]!.code);
      return { id, tier: code === folded ? 0 : code.startsWith(folded) ? 1 : 2, score: h.score };
    });
    hits.sort((a, b) => a.tier - b.tier || (a.tier < 2 ? a.id - b.id : b.score - a.score));
    return { query, items: hits.slice(0, limit).map((h) => this.#items[h.id]!), total: hits.length };
  }
}

/** Reads a catalog file; bad rows are skipped and reported with their line numbers. */
export async function loadCatalogFile(path: string): Promise<Catalog> {
  const text = await readFile(path, 'utf8');
  const problems: RowProblem[] = [];
  const items: CatalogItem[] = [];
  const seen = new Set<string>();
  const accept = (raw: unknown, line: number) => {
    const r = Row.safeParse(raw);
    if (!r.success) return problems.push({ line, message: r.error.issues.map((i) => i.message).join('; ') });
    if (seen.has(r.data.code)) return problems.push({ line, message: `code ${r.data.code} appears more than once` });
    seen.add(r.data.code);
    items.push(r.data);
  };
  if (extname(path).toLowerCase() === '.json') {
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (error) {
      throw new Error(`is not valid JSON (${(error as Error).message})`);
    }
    if (!Array.isArray(data)) throw new Error('must be a JSON array of {code, label} objects');
    data.forEach((row, i) => accept(row, i + 1));
  } else {
    let records: { record: Record<string, string>; info: { lines: number } }[];
    try {
      records = parseCsv(text, { columns: true, skip_empty_lines: true, bom: true, trim: true, relax_column_count: true, info: true });
    } catch (error) {
      throw new Error(`is not valid CSV (${(error as Error).message})`);
    }
    if (records.length > 0 && !('code' in records[0]!.record && 'label' in records[0]!.record)) {
      throw new Error('needs a header row naming the columns code and label');
    }
    for (const { record, info } of records) accept(record, info.lines);
  }
  return new Catalog(items, problems);
}
