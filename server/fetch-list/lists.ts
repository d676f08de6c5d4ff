// The Concur lists a company's catalogs answer through the Fetch List callout: which rows are the items of each level
// of a list (a connected list narrows a level to the children of the parents the request names), and the two
// searches Concur asks for: TEXT, the popup's own ranked and typo-tolerant search; CODE, the short codes matched
// with Concur's wildcards.
import type { Logger } from 'pino';
import { FetchListRefused } from '../errors.ts';
import type { CatalogLike, CatalogRow } from '../sources/catalog.ts';
import { compileFilters, type FilterRule } from '../sources/context-filter.ts';
import type { SearchContext } from '../sources/source.ts';
import { normalListId, normalListName, type FetchListConfig, type ListMapping } from './config.ts';
import type { FetchListRequest } from './request.ts';
import type { FetchListItem } from './xml.ts';

/** A catalog source as a list reads it: its catalog and its context filters. */
export interface ListSource {
  catalog: CatalogLike;
  filters: readonly FilterRule[];
}

/** Rows with a hyphen in their code logged one by one at load, then counted. */
const HYPHENS_LOGGED = 20;

/** No launch is behind a callout: a filter with a {context} value cannot be judged, and does not apply (README). */
const NO_LAUNCH: SearchContext = {
  fieldId: '',
  companyDomain: '',
  loggedInUserId: '',
  reportOwnerUserId: '',
  employeeId: '',
  languageCode: '',
};
const needsLaunch = (f: FilterRule) => /\{\w+\}/.test(f.equals ?? f.onOrBefore ?? f.onOrAfter ?? '');

/** One level of a list, and what tells its rows apart from the other levels' in a catalog they share. */
interface Level {
  number: number;
  sourceName: string;
  source: ListSource;
  /** The column holding the code of the item's parent (level 2 on). */
  parent?: string;
  /** Parent columns of the levels above (from 2) reading the same catalog: when set, they must name the request's. */
  ancestors: { number: number; column: string }[];
  /** Parent columns of the levels below reading the same catalog: a row with one set is an item of a lower level. */
  lower: string[];
  /** The filters that need no launch: a row they would hide or grey is not an item (Concur has no greyed items). */
  keep?: (row: CatalogRow) => boolean;
}

/** A catalog as last loaded: its codes in upper case, how many have a hyphen, each level's items by parent code. */
interface Snapshot {
  upper: string[];
  hyphens: number;
  groups: Map<number, Map<string, number[]>>;
}

const key = (code: string) => code.toLowerCase();

/** A CODE query as Concur writes it: `*` all, `X*` prefix, `*X` suffix, `*X*` inside; plain text a prefix. */
export function codeMatcher(query: string): (code: string) => boolean {
  const q = query.trim().toUpperCase();
  const pattern = q.includes('*') ? q : `${q}*`;
  const parts = pattern.split('*');
  const first = parts[0]!;
  const last = parts.at(-1)!;
  const middle = parts.slice(1, -1).filter(Boolean);
  if (!first && !last && !middle.length) return () => true;
  return (code) => {
    if (code.length < first.length + last.length || !code.startsWith(first) || !code.endsWith(last)) return false;
    let at = first.length;
    const end = code.length - last.length;
    for (const part of middle) {
      const found = code.indexOf(part, at);
      if (found < 0 || found + part.length > end) return false;
      at = found + part.length;
    }
    return true;
  };
}

/** One Concur list, answered from the catalog sources its mapping names. */
export class ConcurList {
  readonly name?: string;
  readonly id?: string;
  readonly #levels: Level[];
  readonly #logger: Logger;
  readonly #snapshots = new WeakMap<readonly CatalogRow[], Snapshot>();

  constructor(mapping: ListMapping, sourceOf: (name: string) => ListSource, logger: Logger) {
    this.name = mapping.name;
    this.id = mapping.id;
    this.#logger = logger;
    const named: { number: number; sourceName: string; parent?: string }[] = [
      { number: 1, sourceName: mapping.source },
      ...Object.entries(mapping.levels)
        .map(([n, l]) => ({ number: Number(n), sourceName: l.source ?? mapping.source, parent: l.parent }))
        .sort((a, b) => a.number - b.number),
    ];
    this.#levels = named.map((level) => {
      const source = sourceOf(level.sourceName);
      const shared = named.filter((o) => o.sourceName === level.sourceName && o.parent);
      const rules = source.filters.filter((f) => !needsLaunch(f));
      const verdict = rules.length ? compileFilters(rules, NO_LAUNCH) : undefined;
      return {
        ...level,
        source,
        ancestors: shared.filter((o) => o.number < level.number).map((o) => ({ number: o.number, column: o.parent! })),
        lower: shared.filter((o) => o.number > level.number).map((o) => o.parent!),
        ...(verdict ? { keep: (row: CatalogRow) => ((v) => !v.hidden && !v.inactive)(verdict(row)) } : {}),
      };
    });
    // Read now, so a catalog's hyphenated codes are reported when it loads.
    for (const level of this.#levels) this.#snapshot(level);
  }

  /** The items of the level the request searches (below its parents) that match its query, best first. */
  search(request: FetchListRequest): FetchListItem[] {
    const level = this.#levels[request.parents.length];
    if (!level)
      throw new FetchListRefused(
        'list_unknown',
        `The list ${this.#title()} is mapped with ${this.#levels.length} level(s); this request searches level ` +
          `${request.parents.length + 1}. Map that level (fetchList.lists[].levels) or check the list in Concur.`,
      );
    const snapshot = this.#snapshot(level);
    const rows = level.source.catalog.rows;
    const parent = level.parent ? key(request.parents.at(-1)!) : '';
    const belongs = (row: CatalogRow) =>
      level.ancestors.every((a) => {
        const cell = row.attributes?.[a.column];
        return !cell || key(cell) === key(request.parents[a.number - 2]!);
      });
    const item = (row: Pick<CatalogRow, 'code' | 'label'>, matchValue: string): FetchListItem => ({
      code: request.longCode ? `${request.longCode}-${row.code}` : row.code,
      shortCode: row.code,
      text: row.label,
      matchValue,
    });
    const text = request.searchBy === 'TEXT' ? request.query.replace(/\*/g, ' ').trim() : undefined;
    if (text === undefined || text === '') {
      // A CODE search, or a TEXT one for everything: the level's items in code order.
      const matches = codeMatcher(text ?? request.query);
      const found: FetchListItem[] = [];
      for (const i of snapshot.groups.get(level.number)!.get(parent) ?? []) {
        if (found.length >= request.limit) break;
        const row = rows[i]!;
        if (matches(snapshot.upper[i]!) && belongs(row))
          found.push(item(row, text === undefined ? row.code : row.label));
      }
      return found;
    }
    // Every row is an item of a list's only level when no rule leaves one out: the search then judges none.
    const every = !level.parent && !level.lower.length && !level.keep && !snapshot.hyphens;
    const page = level.source.catalog.search(text, {
      limit: request.limit,
      ...(every ? {} : { accept: (row: CatalogRow) => this.#parentOf(level, row) === parent && belongs(row) }),
    });
    return page.items.map((row) => item(row, row.label));
  }

  #title() {
    return this.name ? `"${this.name}"` : `with id ${this.id}`;
  }

  /** The level's catalog as loaded now: read once per load (a catalog file is read again when it changes). */
  #snapshot(level: Level): Snapshot {
    const rows = level.source.catalog.rows;
    let snapshot = this.#snapshots.get(rows);
    if (!snapshot) {
      snapshot = {
        upper: rows.map((r) => r.code.toUpperCase()),
        hyphens: this.#reportHyphens(level.sourceName, rows),
        groups: new Map(),
      };
      this.#snapshots.set(rows, snapshot);
    }
    if (!snapshot.groups.has(level.number)) snapshot.groups.set(level.number, this.#group(level, rows));
    return snapshot;
  }

  /**
   * The parent code (lower case) of a row that is an item of the level: '' at level 1; undefined for a row that is
   * not one (a hyphen in its code, left out by a filter, an item of a lower level, without a parent).
   */
  #parentOf(level: Level, row: CatalogRow): string | undefined {
    if (row.code.includes('-') || (level.keep && !level.keep(row))) return undefined;
    if (level.lower.some((column) => row.attributes?.[column])) return undefined;
    if (!level.parent) return '';
    const parent = row.attributes?.[level.parent];
    return parent ? key(parent) : undefined;
  }

  /** The level's items by parent code ('' at level 1), each group in code order. */
  #group(level: Level, rows: readonly CatalogRow[]): Map<string, number[]> {
    const groups = new Map<string, number[]>();
    rows.forEach((row, i) => {
      const parent = this.#parentOf(level, row);
      if (parent === undefined) return;
      let group = groups.get(parent);
      if (!group) groups.set(parent, (group = []));
      group.push(i);
    });
    return groups;
  }

  /** Concur reads a hyphen in a code as a level delimiter (protocol sheet §6): such rows are no items of a list. */
  #reportHyphens(source: string, rows: readonly CatalogRow[]): number {
    let count = 0;
    for (const row of rows) {
      if (!row.code.includes('-')) continue;
      if (++count <= HYPHENS_LOGGED)
        this.#logger.warn(
          { list: this.name ?? this.id, source, line: row.line, code: row.code },
          'catalog row left out of the Concur list: its code has a hyphen, which Concur reads as a level delimiter',
        );
    }
    if (count > HYPHENS_LOGGED)
      this.#logger.warn(
        { list: this.name ?? this.id, source, rows: count },
        `catalog rows left out of the Concur list: ${count} codes have a hyphen (the first ${HYPHENS_LOGGED} are listed)`,
      );
    return count;
  }
}

/** A company's Fetch List setup: the path it is answered at, and its lists. */
export class FetchLists {
  readonly path: string;
  readonly lists: readonly ConcurList[];

  constructor(config: FetchListConfig, sourceOf: (name: string) => ListSource, logger: Logger) {
    this.path = config.path;
    this.lists = config.lists.map((mapping) => new ConcurList(mapping, sourceOf, logger));
  }

  /**
   * The list a request names by its list-name (a list's name or id) or protected-list-key (its id); a request that
   * names none (as in Concur's documented examples) is answered by the company's only list, if it has one.
   */
  find(listName: string, listKey: string): ConcurList {
    const name = normalListName(listName);
    const ids = [listName, listKey].filter(Boolean).map(normalListId);
    const found = this.lists.find(
      (l) =>
        (l.name !== undefined && name && normalListName(l.name) === name) || (l.id && ids.includes(normalListId(l.id))),
    );
    if (found) return found;
    if (!name && !ids.length && this.lists.length === 1) return this.lists[0]!;
    throw new FetchListRefused(
      'list_unknown',
      name || ids.length
        ? `No list named "${listName || listKey}" is mapped for Fetch List in the connector.`
        : 'The request names no list, and several are mapped for Fetch List: the connector cannot tell which.',
    );
  }
}
