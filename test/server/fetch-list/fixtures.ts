// Fetch List fixtures: the documentation's request examples verbatim, hostile documents, a request builder, the
// catalogs of a connected list on four levels (the documentation's US-W-CA cities) and on two (projects and tasks),
// and a reader of the answers that keeps each item's elements in the order they came.
import { XMLParser } from 'fast-xml-parser';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The elements after the query, alike in both of the documentation's examples (and written alike). */
const DOC_OPTIONS = `    <search-by>TEXT</search-by>
    <lang-code>EN</lang-code>
    <num-to-return>80</num-to-return>
    <protected-list-key />
    <list-name />
    <connector-version />
    <config-options />`;

/** post-list-search-request.markdown, "XML Example Request for Single Level List". */
export const DOC_SINGLE_LEVEL = `<?xml version="1.0" ?>
<fetch-list-request>
    <long-code></long-code>
    <short-code></short-code>
    <query>Alph*</query>
${DOC_OPTIONS}
</fetch-list-request>`;

/** post-list-search-request.markdown, "XML Example Request for Multi-Level List". */
export const DOC_MULTI_LEVEL = `<?xml version="1.0" ?>
<fetch-list-request>
    <long-code>US-W-CA</long-code>
    <short-code>CA</short-code>
    <query>San*</query>
${DOC_OPTIONS}
    <code-by-level>
        <level1>US</level1>
        <level2>W</level2>
        <level3>CA</level3>      
    </code-by-level>
 </fetch-list-request>`;

export const XXE = `<?xml version="1.0"?>
<!DOCTYPE fetch-list-request [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<fetch-list-request><query>&xxe;</query><search-by>TEXT</search-by></fetch-list-request>`;

export const BILLION_LAUGHS = `<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 ${Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i || ''};`.repeat(10)}">`).join('\n ')}
]>
<fetch-list-request><query>&lol9;</query><search-by>TEXT</search-by></fetch-list-request>`;

/** A request as Concur writes one; a field given undefined is left out, any other is written as given (raw XML). */
export function request(fields: Record<string, string | undefined>): string {
  const all: Record<string, string | undefined> = {
    'long-code': '',
    'short-code': '',
    query: '*',
    'search-by': 'TEXT',
    'lang-code': 'EN',
    'num-to-return': '80',
    ...fields,
  };
  const body = Object.entries(all)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `<${k}>${v}</${k}>`)
    .join('');
  return `<?xml version="1.0" ?><fetch-list-request>${body}</fetch-list-request>`;
}

/** A search of `list` below `parents` (level 1 first). */
export const search = (
  parents: string[],
  query: string,
  searchBy = 'TEXT',
  more: Record<string, string | undefined> = {},
) =>
  request({
    'long-code': parents.join('-'),
    'short-code': parents.at(-1) ?? '',
    query,
    'search-by': searchBy,
    'code-by-level': parents.map((p, i) => `<level${i + 1}>${p}</level${i + 1}>`).join('') || undefined,
    ...more,
  });

/** One catalog for four levels: country, region (its country), state (its region), city (its state). */
export const GEO_CSV = `code,label,country,region,state
US,United States,,,
DE,Germany,,,
W,Western,US,,
E,Eastern,US,,
S,Southern,DE,,
CA,California,,W,
OR,Oregon,,W,
NY,New York,,E,
SF,San Francisco,,,CA
SD,San Diego,,,CA
SJ,San Jose,,,CA
LA,Los Angeles,,,CA
PO,Portland,,,OR
SA,Salem,,,OR
NYC,New York City,,,NY
`;

export const PROJECTS_CSV = `code,label,status
P100,Website relaunch,open
P200,Brand refresh,open
P300,Trade fair Hannover,open
P400,Archive migration,closed
P-500,Hyphenated project,open
`;

export const TASKS_CSV = `code,label,project
T110,Design,P100
T120,Development,P100
T130,Testing and launch,P100
T210,Research,P200
T220,Creative production,P200
T310,Stand build,P300
`;

/** Writes files into a folder of its own; their paths by name. */
export function files(contents: Record<string, string>): Record<string, string> {
  const dir = mkdtempSync(join(tmpdir(), 'fetch-list-'));
  return Object.fromEntries(
    Object.entries(contents).map(([name, text]) => {
      const path = join(dir, name);
      writeFileSync(path, text);
      return [name, path];
    }),
  );
}

export interface AnsweredItem {
  elements: string[];
  code: string;
  'short-code': string;
  text: string;
  'match-value': string;
}

const ordered = new XMLParser({ preserveOrder: true, parseTagValue: false, processEntities: true });

/** The items of a <fetch-list-response>, each with its element names in the order they came. */
export function items(xml: string): AnsweredItem[] {
  const [root] = ordered.parse(xml) as {
    'fetch-list-response': { item: Record<string, [{ '#text'?: string }]>[] }[];
  }[];
  if (!root || !('fetch-list-response' in root)) throw new Error(`not a fetch-list-response: ${xml}`);
  return root['fetch-list-response'].map((node) => {
    const elements = node.item.map((e) => Object.keys(e)[0]!);
    const text = Object.fromEntries(
      node.item.map((e) => [Object.keys(e)[0]!, Object.values(e)[0]![0]?.['#text'] ?? '']),
    );
    return { elements, ...text } as AnsweredItem;
  });
}
