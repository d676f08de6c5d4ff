// Concur's Fetch List request (<fetch-list-request>, protocol sheet §9) read from its XML: parsed by fast-xml-parser
// with no DTD and no entity of its own (XXE and entity expansion cannot happen), checked with zod, and turned into
// the search it asks for. Every refusal is a FetchListRefused (400) naming what is wrong.
import { XMLParser } from 'fast-xml-parser';
import { z } from 'zod';
import { FetchListRefused } from '../errors.ts';
import { MAX_QUERY_LENGTH } from '../sources/search-index.ts';

/** The most items one answer may hold: Concur's documented system limit. */
export const MAX_ITEMS = 100;

export type SearchBy = 'TEXT' | 'CODE';

/** The search a Fetch List request asks for. */
export interface FetchListRequest {
  /** What Concur says of the list (`list-name`, `protected-list-key`): empty in its documented examples. */
  listName: string;
  listKey: string;
  /** The codes of the searched level's parents, level 1 first: empty for the list's top level. */
  parents: string[];
  /** The parents' codes joined by '-', as the request sent them (each answered code starts with it). */
  longCode: string;
  /** As typed, with Concur's wildcards. */
  query: string;
  searchBy: SearchBy;
  language: string;
  /** At most MAX_ITEMS. */
  limit: number;
}

// Entities stay as written (processEntities false) and attributes are not read; values stay text (a code "010" is
// not the number 10); CDATA is kept apart, as it must not be decoded.
const parser = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  processEntities: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  trimValues: true,
  cdataPropName: '#cdata',
});

/** The five predefined entities and character references (XML 1.0 §4.6, §4.1): nothing else, nothing nested. */
const REFERENCE = /&(#x[0-9a-fA-F]{1,6}|#[0-9]{1,7}|amp|lt|gt|quot|apos);/g;
const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
function decode(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(REFERENCE, (whole, ref: string) => {
    if (!ref.startsWith('#')) return NAMED[ref]!;
    const point = ref[1] === 'x' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
    const valid = point > 0 && point <= 0x10ffff && (point < 0xd800 || point > 0xdfff);
    return valid ? String.fromCodePoint(point) : whole;
  });
}

/** An element's text: its characters (references decoded) and any CDATA as written. */
const Text = z
  .union(
    [
      z.string().transform(decode),
      z
        .object({ '#text': z.string().optional(), '#cdata': z.union([z.string(), z.array(z.string())]).optional() })
        .strict()
        .transform((t) => decode(t['#text'] ?? '') + [t['#cdata'] ?? ''].flat().join('')),
    ],
    { error: 'must be text, given once' },
  )
  .optional()
  .transform((t) => t ?? '');

const Body = z.looseObject({
  'long-code': Text,
  'short-code': Text,
  query: Text.pipe(z.string().max(MAX_QUERY_LENGTH, `is longer than ${MAX_QUERY_LENGTH} characters`)),
  'search-by': Text,
  'lang-code': Text,
  'num-to-return': Text,
  'list-name': Text,
  'protected-list-key': Text,
  // An empty <code-by-level/> reads as ''; otherwise <level1>..<levelN>.
  'code-by-level': z
    .union([z.literal(''), z.record(z.string(), Text)], { error: 'must hold <level1>, <level2>, ... only' })
    .optional(),
});

/** The parents' codes from <code-by-level> (level1..levelN, no gap), else from the long code. */
function parentsOf(body: z.infer<typeof Body>): string[] {
  const levels = typeof body['code-by-level'] === 'object' ? body['code-by-level'] : {};
  const entries = Object.entries(levels);
  if (!entries.length) return body['long-code'] ? body['long-code'].split('-') : [];
  const parents: string[] = [];
  for (let n = 1; n <= entries.length; n++) {
    const code = levels[`level${n}`];
    if (!code)
      throw new FetchListRefused(
        'invalid_request',
        `code-by-level: holds ${entries.map(([k]) => k).join(', ')}; it must hold level1 to level${entries.length}, ` +
          'each with a code',
      );
    parents.push(code);
  }
  return parents;
}

/** num-to-return as a count: at most MAX_ITEMS; missing, empty or not a whole number above 0, MAX_ITEMS. */
function limitOf(text: string): number {
  const n = /^\d{1,9}$/.test(text) ? Number(text) : 0;
  return n >= 1 ? Math.min(n, MAX_ITEMS) : MAX_ITEMS;
}

/** Reads a request body. A document with a DTD is refused before it is parsed: Concur never sends one. */
export function readFetchListRequest(xml: string): FetchListRequest {
  if (/<!DOCTYPE|<!ENTITY/i.test(xml))
    throw new FetchListRefused('xml_invalid', 'The request has a document type declaration, which is not accepted.');
  let document: Record<string, unknown>;
  try {
    document = parser.parse(xml, true) as Record<string, unknown>;
  } catch (error) {
    throw new FetchListRefused('xml_invalid', `The request is not well-formed XML (${(error as Error).message}).`);
  }
  const roots = Object.keys(document);
  if (roots.length !== 1 || roots[0] !== 'fetch-list-request')
    throw new FetchListRefused(
      'xml_invalid',
      `The request must be one <fetch-list-request> element, not ${roots.map((r) => `<${r}>`).join(', ') || 'nothing'}.`,
    );
  // An empty <fetch-list-request/> reads as '': a request of defaults.
  const root = document['fetch-list-request'];
  const parsed = Body.safeParse(root === '' ? {} : root);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new FetchListRefused('invalid_request', `${issue.path.join('/') || 'fetch-list-request'}: ${issue.message}`);
  }
  const body = parsed.data;
  const searchBy = body['search-by'].toUpperCase() || 'TEXT';
  if (searchBy !== 'TEXT' && searchBy !== 'CODE')
    throw new FetchListRefused(
      'search_by_unsupported',
      `search-by is ${body['search-by'].slice(0, 20)}; the connector searches by TEXT or CODE.`,
    );
  const parents = parentsOf(body);
  return {
    listName: body['list-name'],
    listKey: body['protected-list-key'],
    parents,
    longCode: body['long-code'] || parents.join('-'),
    query: body.query,
    searchBy,
    language: body['lang-code'],
    limit: limitOf(body['num-to-return']),
  };
}
