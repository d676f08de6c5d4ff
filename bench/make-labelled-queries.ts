// Writes bench/labelled-queries.json: queries a person would type (typos, partial codes, no accents), each with
// the catalog row they mean, over the bench's deterministic 100,000-row catalog. Run once; the file is committed.
import { writeFileSync } from 'node:fs';
import { generateCatalog, seeded } from './catalog-data.ts';

const rows = generateCatalog(100_000);
const r = seeded(2026);
const strip = (s: string) =>
  s
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .replace(/ł/g, 'l')
    .replace(/Ł/g, 'L');

/** One typo in a word of at least five letters: a dropped, doubled or swapped letter. */
function typo(word: string): string {
  if (word.length < 5) return word;
  const i = 1 + Math.floor(r.next() * (word.length - 2));
  switch (Math.floor(r.next() * 3)) {
    case 0:
      return word.slice(0, i) + word.slice(i + 1);
    case 1:
      return word.slice(0, i) + word[i] + word.slice(i);
    default:
      return word.slice(0, i) + word[i + 1] + word[i] + word.slice(i + 2);
  }
}

const queries: { kind: string; query: string; code: string }[] = [];
const used = new Set<number>();
const take = () => {
  let i: number;
  do i = Math.floor(r.next() * rows.length);
  while (used.has(i));
  used.add(i);
  return rows[i]!;
};
for (let k = 0; k < 40; k++) {
  // client + activity + city, with a typo in one word
  const row = take();
  const words = row.label.split(' ');
  const at = Math.floor(r.next() * words.length);
  queries.push({
    kind: 'typo',
    query: strip(
      words
        .map((w, i) => (i === at ? typo(w) : w))
        .join(' ')
        .toLowerCase(),
    ),
    code: row.code,
  });
}
for (let k = 0; k < 30; k++) {
  // the code's number alone, or the code in other case / without the hyphen
  const row = take();
  const n = row.code.slice(4);
  const variant = k % 3;
  queries.push({
    kind: 'partial-code',
    query: variant === 0 ? n : variant === 1 ? row.code.toLowerCase() : `prj ${n}`,
    code: row.code,
  });
}
for (let k = 0; k < 30; k++) {
  // a row in a city with an accent, typed without it, with the client name shortened
  let row = take();
  while (strip(row.label) === row.label) row = take();
  const words = row.label.split(' ');
  queries.push({
    kind: 'accents',
    query: strip(`${words[0]!.slice(0, Math.max(5, words[0]!.length - 2))} ${words.slice(1).join(' ')}`).toLowerCase(),
    code: row.code,
  });
}
writeFileSync(new URL('./labelled-queries.json', import.meta.url), `${JSON.stringify(queries, null, 1)}\n`);
console.log(`wrote ${queries.length} labelled queries`);
