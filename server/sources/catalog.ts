// The catalog data source: a CSV or JSON file of {code, label, detail?} rows, searched with the search index.
import { readFile } from 'node:fs/promises';
import { unwatchFile, watchFile } from 'node:fs';
import { extname } from 'node:path';
import { parse as parseCsv } from 'csv-parse';
import { createReadStream } from 'node:fs';
import { pipeline, Readable } from 'node:stream';
import { stat } from 'node:fs/promises';

class HeaderMissing extends Error {}
import { SearchIndex } from './search-index.ts';
import { z } from 'zod';
import { CONCUR_VALUE_MAX, type CatalogItem, type SearchResponse } from '../../src/contract/api.ts';

/** A cell: text, or a number written as text; anything else (null, objects) is a malformed row. */
const cell = () => z.union([z.string(), z.number().transform(String)], { error: 'must be text' });

const Row = z.looseObject({
  code: cell().pipe(
    z
      .string()
      .trim()
      .min(1, 'code is empty')
      .max(CONCUR_VALUE_MAX, `code is longer than ${CONCUR_VALUE_MAX} characters, the most Concur stores`),
  ),
  label: cell().pipe(z.string().trim().min(1, 'label is empty')),
  detail: cell()
    .pipe(z.string().trim())
    .optional()
    .transform((v) => (v === '' ? undefined : v)),
});

/** A catalog row: what the popup shows, and any further columns, which stay on the server (context filters). */
export interface CatalogRow extends CatalogItem {
  attributes?: Record<string, string>;
  /** Its line in the file, for messages about it found after loading (a Concur list's rule on codes). */
  line?: number;
}

export interface RowProblem {
  line: number;
  message: string;
}

export interface CatalogSearch {
  offset?: number;
  limit: number;
  /** Drops rows a context filter excludes. */
  accept?: (item: CatalogRow) => boolean;
}

/** What the popup may see of a row: never its extra columns. */
export const publicItem = ({ code, label, detail }: CatalogRow): CatalogItem =>
  detail ? { code, label, detail } : { code, label };

export class Catalog {
  readonly #index: SearchIndex<CatalogRow>;
  readonly #byCode: Map<string, CatalogRow>;
  /** Rows skipped because they failed validation, by line number in the file. */
  readonly problems: RowProblem[];

  constructor(items: CatalogRow[], problems: RowProblem[] = [], index?: SearchIndex<CatalogRow>) {
    this.#index = index ?? new SearchIndex(sortByCode(items));
    this.#byCode = new Map(this.#index.rows.map((i) => [i.code, i]));
    this.problems = problems;
  }

  /** Builds a large catalog without holding up the server: the index is made between other requests. */
  static async create(items: CatalogRow[], problems: RowProblem[] = []): Promise<Catalog> {
    return new Catalog(items, problems, await SearchIndex.build(sortByCode(items)));
  }

  get size(): number {
    return this.#index.rows.length;
  }

  /** Every row, in code order (server side only); a new array when the catalog is replaced. */
  get rows(): readonly CatalogRow[] {
    return this.#index.rows;
  }

  /** The row for a code, with its extra columns (server side only). */
  row(code: string): CatalogRow | undefined {
    return this.#byCode.get(code);
  }

  byCode(code: string): CatalogItem | undefined {
    const row = this.#byCode.get(code);
    return row && publicItem(row);
  }

  /** What the last search's typo walks spent (the search index's bounds; for tests and benches). */
  get lastWork(): Readonly<{ rows: number; words: number; walks: number; postings: number }> {
    return this.#index.lastWork;
  }

  search(query: string, { offset = 0, limit, accept }: CatalogSearch): SearchResponse {
    const page = this.#index.search(query, offset, limit, accept);
    return {
      query,
      offset,
      total: page.total,
      items: page.hits.map((h) => {
        const item = publicItem(this.#index.rows[h.index]!);
        return Object.keys(h.highlight).length ? { ...item, highlight: h.highlight } : item;
      }),
    };
  }
}

/** Reads a catalog file; bad rows are skipped and reported with their line numbers. Parsing and indexing
 * yield to other work as they go, so a large file can be (re)loaded while the server answers requests. */
export async function loadCatalogFile(path: string): Promise<Catalog> {
  if (extname(path).toLowerCase() === '.json') return loadCatalogText(await readFile(path, 'utf8'), 'json');
  // A missing file or a folder is reported as such, before parsing.
  if ((await stat(path)).isDirectory()) throw Object.assign(new Error(`${path} is a folder`), { code: 'EISDIR' });
  return catalogFromCsv(createReadStream(path));
}

/** A catalog from a file's text (a company's catalog kept in the store), read as loadCatalogFile reads a file. */
export async function loadCatalogText(text: string, format: 'csv' | 'json'): Promise<Catalog> {
  if (format === 'csv') return catalogFromCsv(Readable.from([text]));
  const rows = rowCollector();
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new Error(`is not valid JSON (${(error as Error).message})`);
  }
  if (!Array.isArray(data)) throw new Error('must be a JSON array of {code, label} objects');
  data.forEach((row, i) => rows.accept(row, i + 1));
  return rows.catalog();
}

async function catalogFromCsv(input: Readable): Promise<Catalog> {
  const rows = rowCollector();
  const parser = parseCsv({
    columns: true,
    skip_empty_lines: true,
    bom: true,
    trim: true,
    relax_column_count: true,
    info: true,
  });
  // pipeline (unlike pipe) hands a read error to the parser, so the loop below throws it.
  pipeline(input, parser, () => undefined);
  let first = true;
  try {
    for await (const { record, info } of parser as AsyncIterable<{
      record: Record<string, string>;
      info: { lines: number };
    }>) {
      if (first && !('code' in record && 'label' in record))
        throw new HeaderMissing('needs a header row naming the columns code and label');
      first = false;
      rows.accept(record, info.lines);
    }
  } catch (error) {
    if (error instanceof HeaderMissing || (error as NodeJS.ErrnoException).syscall) throw error;
    throw new Error(`is not valid CSV (${(error as Error).message})`);
  }
  return rows.catalog();
}

/** Rows checked one at a time: bad ones and repeated codes are kept as problems with their line numbers. */
function rowCollector() {
  const problems: RowProblem[] = [];
  const items: CatalogRow[] = [];
  const seen = new Set<string>();
  const accept = (raw: unknown, line: number) => {
    const r = Row.safeParse(raw);
    if (!r.success) return problems.push({ line, message: r.error.issues.map((i) => i.message).join('; ') });
    const { code, label, detail, ...rest } = r.data;
    if (seen.has(code)) return problems.push({ line, message: `code ${code} appears more than once` });
    seen.add(code);
    const attributes = Object.fromEntries(
      Object.entries(rest)
        .filter(([, v]) => v !== undefined && v !== null && v !== '')
        .map(([k, v]) => [k, String(v)]),
    );
    items.push({
      code,
      label,
      ...(detail ? { detail } : {}),
      ...(Object.keys(attributes).length ? { attributes } : {}),
      line,
    });
  };
  return { accept, catalog: () => Catalog.create(items, problems) };
}

const byCode = new Intl.Collator('en', { numeric: true }).compare;
const sortByCode = (items: CatalogRow[]) => [...items].sort((a, b) => byCode(a.code, b.code));

export type CatalogLike = Pick<Catalog, 'search' | 'byCode' | 'row' | 'size' | 'rows'>;

interface CatalogLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/**
 * A catalog file that follows its file: when the file changes, it is read again and swapped in whole. A file that
 * cannot be read at all keeps the previous catalog in service; bad rows are skipped and logged by line.
 */
export class CatalogFile implements CatalogLike {
  #current: Catalog;
  #watching = false;

  readonly path: string;
  private readonly logger: CatalogLogger;
  private constructor(path: string, catalog: Catalog, logger: CatalogLogger) {
    this.path = path;
    this.logger = logger;
    this.#current = catalog;
  }

  static async open(path: string, logger: CatalogLogger): Promise<CatalogFile> {
    const file = new CatalogFile(path, await loadCatalogFile(path), logger);
    file.#report();
    return file;
  }

  get size(): number {
    return this.#current.size;
  }

  get problems(): RowProblem[] {
    return this.#current.problems;
  }

  get rows() {
    return this.#current.rows;
  }

  byCode(code: string) {
    return this.#current.byCode(code);
  }

  row(code: string) {
    return this.#current.row(code);
  }

  search(query: string, options: CatalogSearch) {
    return this.#current.search(query, options);
  }

  /** Reads the file again now; resolves true when the new catalog is in service. */
  async reload(): Promise<boolean> {
    try {
      this.#current = await loadCatalogFile(this.path);
      this.#report();
      return true;
    } catch (error) {
      this.logger.error(
        { file: this.path, reason: (error as Error).message },
        'catalog file could not be read; the previous catalog stays in service',
      );
      return false;
    }
  }

  /** Polls the file's modification time (robust to editors that replace the file). */
  watch(intervalMs = 1000): void {
    if (this.#watching) return;
    this.#watching = true;
    watchFile(this.path, { interval: intervalMs, persistent: false }, (now, before) => {
      if (now.mtimeMs !== before.mtimeMs || now.size !== before.size) void this.reload();
    });
  }

  close(): void {
    if (this.#watching) unwatchFile(this.path);
    this.#watching = false;
  }

  #report() {
    for (const p of this.#current.problems)
      this.logger.warn({ file: this.path, line: p.line }, `catalog row skipped: ${p.message}`);
    this.logger.info(
      { file: this.path, items: this.#current.size, skipped: this.#current.problems.length },
      'catalog loaded',
    );
  }
}
