// Hostile input, generated (fast-check), beyond launches: /api bodies and queries, the environment, and fields
// and flow files. Nothing crashes: every answer is a 2xx or a 4xx with a readable JSON error, a configuration is
// either accepted or refused with a ConfigError naming the variable, a fields file with a FieldsFileError naming
// the path of its mistake; and whatever is written to Concur is a value the field offers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { ConfigError, Env, loadConfig } from '../../../server/config.ts';
import { FieldsFileError, createFieldSources, readFieldsFile } from '../../../server/fields/fields.ts';
import { EXAMPLE_FIELDS_FILE } from '../../../server/sandbox/fields.ts';
import { createLogger } from '../../../server/logger.ts';
import { Catalog } from '../../../server/sources/catalog.ts';
import { CATALOG_ITEMS, ENV, EXPENSE_ID, bearer, launchSession, makeApp, useFakeConcur } from '../helpers.ts';

const RUNS = Number(process.env.INPUT_PROPERTY_RUNS ?? 1_000);
const { concur } = useFakeConcur();
const dir = mkdtempSync(join(tmpdir(), 'hostile-'));

const json = fc.oneof(
  fc.json({ maxDepth: 3 }),
  fc.string({ maxLength: 60 }),
  fc.constantFrom(
    '',
    '{',
    '{"code":',
    'null',
    '[]',
    '{"__proto__":{"code":"PRJ-1042"}}',
    '{"code":"PRJ-1042","answers":{}}',
  ),
);
const code = fc.oneof(
  fc.constantFrom(...CATALOG_ITEMS.map((i) => i.code), 'prj-1042', ' PRJ-1042', 'PRJ-1042\u0000', 'X'.repeat(49), ''),
  fc.string({ maxLength: 60 }),
  fc.string({ unit: 'grapheme', maxLength: 10 }),
);
const body = fc.oneof(
  json,
  code.map((c) => JSON.stringify({ code: c })),
  fc.record({ code: fc.anything({ maxDepth: 2 }) }).map((b) => JSON.stringify(b)),
  fc
    .dictionary(fc.string({ maxLength: 8 }), fc.anything({ maxDepth: 2 }))
    .map((answers) => JSON.stringify({ answers })),
);
const contentType = fc.constantFrom(
  'application/json',
  'application/json; charset=utf-8',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  '',
);

const answerIsReadable = async (res: Response) => {
  assert.ok(res.status < 500, `a ${res.status}`);
  if (res.status >= 400) {
    const answer = (await res.json()) as { error: { code: string; message: string } };
    assert.ok(answer.error.code && answer.error.message.length > 5, JSON.stringify(answer));
  }
};

test(`${RUNS} generated commit bodies: 2xx or a readable 4xx, and only an offered value reaches Concur`, async () => {
  const { app } = await makeApp();
  const token = await launchSession(app, concur());
  const offered = new Set(CATALOG_ITEMS.map((i) => i.code));
  const statuses = new Set<number>();
  await fc.assert(
    fc.asyncProperty(body, contentType, async (text, type) => {
      const res = await app.request('/api/commit', {
        method: 'POST',
        headers: { ...bearer(token), ...(type ? { 'content-type': type } : {}) },
        body: text,
      });
      await answerIsReadable(res.clone());
      statuses.add(res.status);
      const written = concur().fieldValue(EXPENSE_ID, 'custom12');
      if (res.status === 200) assert.equal(((await res.json()) as { value: string }).value, written);
      assert.ok(written == null || offered.has(written), `${written} was written`);
    }),
    { numRuns: RUNS },
  );
  for (const status of [200, 400, 422])
    assert.ok(statuses.has(status), `no body was answered ${status}: ${[...statuses].join(',')}`);
});

test(`${RUNS} generated search queries: 2xx or a readable 4xx`, async () => {
  const { app } = await makeApp({ env: { RATE_LIMIT_SEARCHES_PER_MINUTE: '0' } });
  const token = await launchSession(app, concur());
  const name = fc.constantFrom('q', 'limit', 'offset', 'parent', 'step', 'within', 'lang', 'q[]', '__proto__');
  const value = fc.oneof(
    fc.string({ maxLength: 30 }),
    fc.constantFrom('-1', '1e9', 'NaN', '0x10', '%', '%ZZ', 'a'.repeat(5000), '1.5', ''),
  );
  await fc.assert(
    fc.asyncProperty(fc.array(fc.tuple(name, value), { maxLength: 5 }), async (params) => {
      const query = params
        .map(([n, v]) => `${encodeURIComponent(n)}=${v.startsWith('%') ? v : encodeURIComponent(v)}`)
        .join('&');
      await answerIsReadable(await app.request(`/api/search?${query}`, { headers: bearer(token) }));
    }),
    { numRuns: RUNS },
  );
});

test(`${RUNS} generated environments: accepted, or refused with one ConfigError naming the variable`, () => {
  const names = Object.keys(Env.shape);
  const value = fc.oneof(
    fc.string({ maxLength: 20 }),
    fc.constantFrom(
      '',
      ' ',
      '0',
      '-1',
      '70000',
      'true',
      'memory',
      'redis://',
      'rediss://:x@h:1/0',
      'sqlite:',
      'http://x',
      'https://a.example.com,ftp://b',
      'a'.repeat(300),
    ),
  );
  fc.assert(
    fc.property(fc.dictionary(fc.constantFrom(...names), value, { maxKeys: 6 }), fc.boolean(), (env, real) => {
      try {
        loadConfig({ ...(real ? ENV : {}), ...env });
      } catch (error) {
        assert.ok(error instanceof ConfigError, `${(error as Error).name}: ${(error as Error).message}`);
        assert.match(error.message, /^[A-Z0-9_]+(\/[A-Z0-9_]+)?: /, 'the message starts with the variable');
      }
    }),
    { numRuns: RUNS },
  );
});

test(`${RUNS} working configurations with one variable changed: accepted, or refused naming that variable`, () => {
  const names = Object.keys(Env.shape);
  const value = fc.oneof(
    fc.string({ maxLength: 20 }),
    fc.constantFrom(
      '',
      ' ',
      '0',
      '-1',
      '70000',
      'true',
      'false',
      'memory',
      'redis://',
      'sqlite:',
      'http://x',
      'a'.repeat(300),
    ),
  );
  let refused = 0;
  fc.assert(
    fc.property(fc.constantFrom(...names), value, (name, v) => {
      try {
        loadConfig({ ...ENV, [name]: v });
      } catch (error) {
        assert.ok(error instanceof ConfigError, `${(error as Error).name}: ${(error as Error).message}`);
        // "A: ..." or "A/B: ..." for a pair that must agree: the changed variable is among those named, or it is
        // the reason another one is now needed ("TOKEN_ENCRYPTION_KEY: is required when COMPANY_TOKEN_FILE is set").
        const [subject = '', reason = ''] = error.message.split(/: (.*)/s);
        assert.ok(
          subject.split('/').includes(name) || reason.includes(name),
          `${name}=${JSON.stringify(v)} was refused with: ${error.message}`,
        );
        refused++;
      }
    }),
    { numRuns: RUNS },
  );
  assert.ok(refused > RUNS / 10, `only ${refused} refused`);
});

/** What a fields file holds at a path its error gave as "a.b.c" (a key may itself hold dots). */
function holds(doc: unknown, dotted: string): boolean {
  if (dotted === '') return true;
  if (!doc || typeof doc !== 'object') return false;
  const parts = dotted.split('.');
  return parts.some((_, i) => {
    const key = parts.slice(0, i + 1).join('.');
    return Object.hasOwn(doc, key) && holds((doc as Record<string, unknown>)[key], parts.slice(i + 1).join('.'));
  });
}

test(`${RUNS} mutated fields files: accepted and usable, or refused with the path of the mistake`, async () => {
  const example = JSON.parse(readFileSync(EXAMPLE_FIELDS_FILE, 'utf8')) as unknown;
  // Every path in the example file, so a mutation can land anywhere in its structure.
  const paths: (string | number)[][] = [];
  const walk = (v: unknown, path: (string | number)[]) => {
    paths.push(path);
    if (v && typeof v === 'object')
      for (const [k, c] of Object.entries(v)) walk(c, [...path, Array.isArray(v) ? Number(k) : k]);
  };
  walk(example, []);
  const replacement = fc.oneof(
    fc.jsonValue({ maxDepth: 2 }),
    fc.constantFrom(null, '', 'catalog', 'search', 'review', '{code}', '{nope}', '(a+)+$', -1, 1e9, 49, []),
  );
  const deps = {
    catalog: new Catalog(CATALOG_ITEMS),
    client: undefined as never,
    logger: createLogger('silent'),
    env: {},
  };
  let n = 0;
  const outcomes = { refused: 0, accepted: 0 };
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.tuple(fc.constantFrom(...paths), replacement, fc.boolean()), { minLength: 1, maxLength: 3 }),
      async (mutations) => {
        const file = structuredClone(example) as Record<string, unknown>;
        for (const [path, value, remove] of mutations) {
          if (!path.length) continue;
          const parent = path
            .slice(0, -1)
            .reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k as string], file) as
            Record<string, unknown> | undefined;
          if (!parent || typeof parent !== 'object') continue;
          if (remove) delete parent[path.at(-1)!];
          else parent[path.at(-1)!] = value;
        }
        const path = join(dir, `fields-${n++}.json`);
        writeFileSync(path, JSON.stringify(file));
        let parsed;
        try {
          parsed = await readFieldsFile(path);
        } catch (error) {
          assert.ok(error instanceof FieldsFileError, `${(error as Error).name}: ${(error as Error).message}`);
          assert.ok(error.message.startsWith(`${path}: `), error.message);
          // The path it names leads into the file as it is: to the mistake, or to the place a missing entry belongs.
          const at = error.message.slice(path.length + 2).split(': ')[0]!;
          if (at !== '(top level)') {
            // A missing top-level entry is named by a key the example file has.
            const place = at.includes('.')
              ? holds(file, at.slice(0, at.lastIndexOf('.')))
              : Object.hasOwn(example as object, at);
            assert.ok(holds(file, at) || place, `${at} is not in the file: ${error.message.slice(0, 300)}`);
          }
          outcomes.refused++;
          return;
        }
        // Accepted: the server can build its sources from it (a catalog it names must exist: that is a ConfigError).
        const sources = await createFieldSources(parsed, deps).catch((error: Error) => {
          assert.ok(
            error instanceof ConfigError ||
              error instanceof FieldsFileError ||
              (error as NodeJS.ErrnoException).code === 'ENOENT',
            `${error.name}: ${error.message}`,
          );
          return undefined;
        });
        sources?.close();
        outcomes.accepted++;
      },
    ),
    { numRuns: RUNS },
  );
  assert.ok(outcomes.refused > RUNS / 10 && outcomes.accepted > RUNS / 20, JSON.stringify(outcomes));
});
