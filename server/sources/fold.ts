// Folding for search: case and accents removed the same way on both sides (the catalog's words and the query), for
// every script Unicode decomposes, so "panevezys" finds "Panevėžys" and "vung tau" finds "Vũng Tàu".
// NFKD splits a letter from its accents (and a compatibility form, "ﬁ" or "①", into its plain one); the combining
// marks are then dropped. The few Latin letters that carry their stroke or ligature inside the letter and so do not
// decompose (ß, æ, ø, ł, đ, ...) are spelt out as people type them without the accent key.

/** Letters with no decomposition, as written on a keyboard without them. */
const SPELT: Record<string, string> = {
  ß: 'ss',
  æ: 'ae',
  œ: 'oe',
  ø: 'o',
  ł: 'l',
  đ: 'd',
  ð: 'd',
  þ: 'th',
  ı: 'i',
  ħ: 'h',
  ŧ: 't',
  ŀ: 'l',
  ĸ: 'k',
  ƒ: 'f',
  ɨ: 'i',
  ʉ: 'u',
  ƀ: 'b',
  ɍ: 'r',
  ȼ: 'c',
  // Greek final sigma: lowering a whole word writes it at the end, lowering one letter never does.
  ς: 'σ',
};
const SPELT_RE = new RegExp(`[${Object.keys(SPELT).join('')}]`, 'g');
const MARKS = /\p{M}+/gu;
/** Only ASCII: lower case is all folding does. */
const ASCII = /^[ -~\t\n\r]*$/;

/**
 * The search form of a text: lower case, accents dropped, compatibility forms and unsplittable letters spelt out.
 * Its length can differ from the text's ("Straße" -> "strasse"; "ﬃ" -> "ffi"): callers bound what they fold.
 */
export function fold(s: string): string {
  if (ASCII.test(s)) return s.toLowerCase();
  // Lower case first: "İ" lowers to "i" with a combining dot, which the next step drops.
  return s
    .toLowerCase()
    .normalize('NFKD')
    .replace(MARKS, '')
    .replace(SPELT_RE, (c) => SPELT[c]!)
    .toLowerCase();
}

/** A folded text with, for each of its characters, the span [start, end) of the original character it came from. */
export interface FoldedText {
  folded: string;
  start: number[];
  end: number[];
}

/** Folds character by character, keeping where each folded character came from (for highlighting the original). */
export function foldMapped(text: string): FoldedText {
  if (ASCII.test(text)) {
    const start = Array.from({ length: text.length }, (_, i) => i);
    return { folded: text.toLowerCase(), start, end: start.map((i) => i + 1) };
  }
  let folded = '';
  const start: number[] = [];
  const end: number[] = [];
  let at = 0;
  for (const ch of text) {
    const f = fold(ch);
    if (!f) {
      // A combining accent (or anything folded away) belongs to the letter before it: a highlight of the letter
      // takes its accent along.
      for (let k = end.length - 1; k >= 0 && end[k] === at; k--) end[k] = at + ch.length;
      at += ch.length;
      continue;
    }
    folded += f;
    // One entry per UTF-16 unit of the folded text, as its indexes count.
    start.push(...new Array<number>(f.length).fill(at));
    end.push(...new Array<number>(f.length).fill(at + ch.length));
    at += ch.length;
  }
  return { folded, start, end };
}
