// The XML the connector answers Concur's callouts with: the Fetch List response (items in the documented element
// order) and the short error body every refusal of a callout carries.

/** One item of a Fetch List answer, as Concur's documentation names and orders its elements. */
export interface FetchListItem {
  /** The request's long code, '-', the item's short code; the short code alone at the top of a list. */
  code: string;
  shortCode: string;
  text: string;
  /** The value the search matched: the text for a TEXT search, the short code for a CODE one. */
  matchValue: string;
}

// Characters XML 1.0 cannot carry at all (a control character in a catalog's label): left out of an answer, which
// would otherwise not parse at Concur.
const NOT_XML =
  // eslint-disable-next-line no-control-regex -- the control characters are what it finds
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const ESCAPED: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/** Text as an element's content. */
export const escapeXml = (text: string) => text.replace(NOT_XML, '').replace(/[&<>"']/g, (c) => ESCAPED[c]!);

const element = (name: string, text: string) => `<${name}>${escapeXml(text)}</${name}>`;

/** The answer: an empty <fetch-list-response/> when nothing matched. */
export function fetchListResponse(items: readonly FetchListItem[]): string {
  if (!items.length) return '<fetch-list-response/>';
  const body = items.map(
    (i) =>
      `<item>${element('code', i.code)}${element('short-code', i.shortCode)}` +
      `${element('text', i.text)}${element('match-value', i.matchValue)}</item>`,
  );
  return `<fetch-list-response>${body.join('')}</fetch-list-response>`;
}

/** A refusal: its code and a sentence saying why. */
export const xmlError = (code: string, message: string) =>
  `<error>${element('code', code)}${element('message', message)}</error>`;
