// Deterministic catalogs for the benches: realistic project and cost-object rows with a large vocabulary.
import type { CatalogItem } from '../src/contract/api.ts';

/** A small seeded generator, so every run measures the same rows and queries. */
export function seeded(seed: number) {
  let s = seed >>> 0;
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, pick: <T>(a: readonly T[]) => a[Math.floor(next() * a.length)]! };
}

export const ACTIVITIES = [
  'office move',
  'website relaunch',
  'annual audit',
  'data centre migration',
  'platform upgrade',
  'customer summit',
  'partner roadshow',
  'key account',
  'public tender',
  'retail expansion',
  'office opening',
  'laptop refresh',
  'security audit',
  'cloud optimisation',
  'payments platform',
  'search relevance',
  'accessibility remediation',
  'warehouse automation',
  'forecasting model',
  'graduate recruiting',
  'leadership academy',
  'treasury system',
  'supplier onboarding',
  'fleet electrification',
  'plant maintenance',
  'quality certification',
  'product launch',
  'clinical study',
  'materials lab',
  'sustainability report',
  'merger integration',
  'entity cleanup',
  'patent filings',
  'support hub',
  'field service',
  'brand refresh',
  'trade fair',
  'training programme',
  'consulting engagement',
  'implementation',
  'rollout',
  'pilot',
  'feasibility study',
  'due diligence',
];
export const CITIES = [
  'Berlin',
  'London',
  'Hannover',
  'Lisbon',
  'Stockholm',
  'München',
  'Vevey',
  'Paris',
  'São Paulo',
  'Montréal',
  'Zürich',
  'Walldorf',
  'Dublin',
  'Amsterdam',
  'Kraków',
  'Tallinn',
  'Manchester',
  'Madrid',
  'Milano',
  'Wien',
  'Frankfurt',
  'Luxembourg',
  'Praha',
  'Göteborg',
  'Venlo',
  'Köln',
  'Torino',
  'Barcelona',
  'Basel',
  'Grenoble',
  'København',
  'Hamburg',
  'Utrecht',
  'Innsbruck',
  'Rotterdam',
  'Espoo',
  'Łódź',
  'Málaga',
  'Genève',
  'Brno',
];
export const DEPARTMENTS = [
  'Marketing',
  'Sales',
  'IT',
  'Engineering',
  'HR',
  'Finance',
  'Procurement',
  'Operations',
  'Research',
  'Legal',
  'Service',
  'Facilities',
];

/** The syllables generated words are made of (bench/hostile-search.ts uses them as frequent word starts). */
export const SYLLABLES = [
  'ka',
  'lo',
  'ver',
  'tri',
  'mon',
  'sa',
  'del',
  'nor',
  'vik',
  'ber',
  'lin',
  'ta',
  'ro',
  'gen',
  'dor',
  'ma',
  'zen',
  'qua',
  'fel',
  'ix',
  'or',
  'an',
  'tec',
  'sol',
  'vo',
  'pra',
  'hel',
  'mar',
  'ste',
  'bau',
];

/** ~3,000 distinct client names such as "Karoveria" or "Nordtec". */
export function clientNames(count = 3000, seed = 7): string[] {
  const r = seeded(seed);
  const names = new Set<string>();
  while (names.size < count) {
    const parts = 2 + Math.floor(r.next() * 2);
    let name = '';
    for (let i = 0; i < parts; i++) name += r.pick(SYLLABLES);
    names.add(name[0]!.toUpperCase() + name.slice(1));
  }
  return [...names];
}

/** `size` rows: codes PRJ-100000…, a client, an activity and a city in the label, department and city as detail. */
export function generateCatalog(size: number, seed = 42): CatalogItem[] {
  const r = seeded(seed);
  const clients = clientNames();
  const rows = new Array<CatalogItem>(size);
  for (let i = 0; i < size; i++) {
    const city = r.pick(CITIES);
    rows[i] = {
      code: `PRJ-${100000 + i}`,
      label: `${r.pick(clients)} ${r.pick(ACTIVITIES)} ${city}`,
      detail: `${r.pick(DEPARTMENTS)} · ${city}`,
    };
  }
  return rows;
}

/**
 * `count` queries of the kinds people type, for rows of a catalog: partial codes, word starts, a typo, a word and a
 * city.
 */
export function typedQueries(rows: readonly { code: string; label: string }[], seed: number, count: number): string[] {
  const r = seeded(seed);
  return Array.from({ length: count }, () => {
    const row = r.pick(rows);
    const words = row.label.split(' ');
    const k = r.next();
    if (k < 0.3) return row.code.slice(0, 4 + Math.floor(r.next() * 6));
    if (k < 0.55) return words[0]!.slice(0, 5);
    if (k < 0.8) return row.label.replace(/[aeiou]/, '');
    return `${words[0]} ${words[words.length - 1]!.slice(0, 3)}`;
  });
}
