// The picker for other hosts: off unless EMBED_ALLOWED_ORIGINS is set; the picker page framable by exactly those
// origins; CORS for them only; no cookies; the field and search API; and the library build's outputs.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'vite';
import { z } from 'zod';
import { fieldsFile, makeApp, useFakeConcur } from '../helpers.ts';
import type { EmbedField, ErrorBody, SearchResponse } from '../../../src/contract/api.ts';

useFakeConcur();
const PORTAL = 'https://portal.example.com';
const INTRANET = 'https://intranet.example.com:8443';
const embedApp = (origins = `${PORTAL},${INTRANET}`) =>
  makeApp({ env: { EMBED_ALLOWED_ORIGINS: origins, EMBED_FIELDS: 'custom12' } });

describe('embedding, as configured', () => {
  test('is off without EMBED_ALLOWED_ORIGINS, and says how to turn it on', async () => {
    const { app } = await makeApp();
    for (const path of ['/embed/v1/picker?field=custom12', '/embed/v1/fields/custom12', '/embed/v1/leu-elements.js']) {
      const res = await app.request(path);
      assert.equal(res.status, 404, path);
      assert.match(((await res.json()) as ErrorBody).error.message, /set EMBED_ALLOWED_ORIGINS/);
    }
  });

  test('needs the list of fields it may offer, and offers no other', async () => {
    await assert.rejects(
      makeApp({ env: { EMBED_ALLOWED_ORIGINS: PORTAL } }),
      /EMBED_FIELDS: is required when EMBED_ALLOWED_ORIGINS is set/,
    );
    const { app } = await embedApp();
    for (const path of ['/embed/v1/fields/custom14', '/embed/v1/fields/custom14/search?q=a']) {
      const res = await app.request(path);
      assert.equal(res.status, 404, path);
      assert.equal(((await res.json()) as ErrorBody).error.code, 'field_not_embeddable');
    }
  });

  test(
    "without a Concur launch, nobody's own rows leak: a rule that needs the user hides, " +
      'a source that needs the user refuses',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'embed-leak-'));
      writeFileSync(
        join(dir, 'projects.csv'),
        'code,label,owner\nPRJ-1,Shared project,\nPRJ-2,Secret acquisition,E42\n',
      );
      writeFileSync(
        join(dir, 'fields.json'),
        JSON.stringify({
          sources: {
            mine: {
              type: 'catalog',
              file: join(dir, 'projects.csv'),
              filters: [{ column: 'owner', equals: '{employeeId}', otherwise: 'hide' }],
            },
            erp: {
              type: 'http',
              url: 'https://erp.example.com/api?q={query}&employee={employeeId}',
              items: 'rows',
              map: { code: 'id', label: 'name' },
            },
          },
          fields: { custom12: 'mine', custom13: 'erp' },
        }),
      );
      const { app } = await makeApp({
        env: {
          EMBED_ALLOWED_ORIGINS: PORTAL,
          EMBED_FIELDS: 'custom12,custom13',
          FIELDS_FILE: join(dir, 'fields.json'),
        },
      });
      const mine = (await (await app.request('/embed/v1/fields/custom12/search?q=')).json()) as SearchResponse;
      assert.deepEqual(
        mine.items.map((i) => i.code),
        ['PRJ-1'],
      );
      const erp = await app.request('/embed/v1/fields/custom13/search?q=x');
      assert.equal(erp.status, 503);
      assert.match(((await erp.json()) as ErrorBody).error.message, /needs to know who the user is/);
    },
  );

  test('refuses an origin with a path or without a scheme', async () => {
    await assert.rejects(
      makeApp({ env: { EMBED_ALLOWED_ORIGINS: 'https://portal.example.com/app', EMBED_FIELDS: 'custom12' } }),
      /EMBED_ALLOWED_ORIGINS: each entry must be an origin/,
    );
    await assert.rejects(
      makeApp({ env: { EMBED_ALLOWED_ORIGINS: 'portal.example.com', EMBED_FIELDS: 'custom12' } }),
      /EMBED_ALLOWED_ORIGINS/,
    );
  });

  test('the picker page may be framed by exactly the allowed origins; every other page by none', async () => {
    const { app } = await embedApp();
    const picker = await app.request('/embed/v1/picker?field=custom12');
    assert.equal(picker.status, 200);
    assert.match(
      picker.headers.get('content-security-policy')!,
      new RegExp(`frame-ancestors ${PORTAL} ${INTRANET}(;|$)`),
    );
    assert.equal(picker.headers.get('x-frame-options'), null);
    assert.equal(picker.headers.get('set-cookie'), null, 'no cookie: a frame works with third-party cookies blocked');
    assert.equal(picker.headers.get('referrer-policy'), 'no-referrer');
    assert.equal(picker.headers.get('cross-origin-opener-policy'), null);
    for (const path of ['/app/', '/api/context', '/embed/v1/config']) {
      const res = await app.request(path);
      assert.match(res.headers.get('content-security-policy')!, /frame-ancestors 'none'/, path);
      assert.equal(res.headers.get('x-frame-options'), 'DENY', path);
    }
  });

  test('CORS answers the allowed origins only, without credentials', async () => {
    const { app } = await embedApp();
    const allowed = await app.request('/embed/v1/fields/custom12/search?q=zurich', { headers: { origin: PORTAL } });
    assert.equal(allowed.headers.get('access-control-allow-origin'), PORTAL);
    assert.equal(allowed.headers.get('access-control-allow-credentials'), null);
    assert.equal(allowed.headers.get('cross-origin-resource-policy'), 'cross-origin');
    const other = await app.request('/embed/v1/fields/custom12/search?q=zurich', {
      headers: { origin: 'https://evil.example.net' },
    });
    assert.equal(other.headers.get('access-control-allow-origin'), null);
  });

  test('the field and its search: what an embedded picker needs, and nothing of Concur', async () => {
    const { app } = await embedApp();
    const field = (await (await app.request('/embed/v1/fields/custom12?lang=de')).json()) as EmbedField;
    assert.deepEqual(field, { field: 'custom12', title: 'the catalog', languageCode: 'de' });
    const search = (await (await app.request('/embed/v1/fields/custom12/search?q=zurich')).json()) as SearchResponse;
    assert.equal(search.items[0]!.code, 'PRJ-1011');
    const bad = await app.request('/embed/v1/fields/not%20a%20field/search?q=x');
    assert.equal(bad.status, 400);
  });

  test('a wizard field comes with its flow, in the asked language; a source that needs Concur says so', async () => {
    const file = fieldsFile({
      sources: { projects: { type: 'catalog' }, trips: { type: 'concur-request' } },
      fields: { custom14: 'trips' },
      flows: {
        custom16: {
          title: { en: 'Project', de: 'Projekt' },
          steps: [
            {
              id: 'p',
              kind: 'search',
              source: 'projects',
              writeTo: 'custom16',
              label: { en: 'Project', de: 'Projekt' },
            },
          ],
        },
      },
    });
    const { app } = await makeApp({
      env: { EMBED_ALLOWED_ORIGINS: PORTAL, EMBED_FIELDS: 'custom14,custom16', FIELDS_FILE: file },
    });
    const field = (await (await app.request('/embed/v1/fields/custom16?lang=de_DE')).json()) as EmbedField;
    assert.equal(field.title, 'Projekt');
    assert.equal(field.flow!.steps[0]!.label, 'Projekt');
    const step = (await (
      await app.request('/embed/v1/fields/custom16/search?q=frankfurt&step=p')
    ).json()) as SearchResponse;
    assert.equal(step.items[0]!.code, 'PRJ-1042');
    // The same refusals as the popup's search: no step named, or a step the form does not have.
    for (const [query, said] of [
      ['q=frankfurt', /form of several steps: name the search step/],
      ['q=frankfurt&step=nope', /no search step named nope/],
    ] as const) {
      const res = await app.request(`/embed/v1/fields/custom16/search?${query}`);
      assert.equal(res.status, 400);
      const body = (await res.json()) as ErrorBody;
      assert.equal(body.error.code, 'invalid_request');
      assert.match(body.error.message, said);
    }
    const trips = await app.request('/embed/v1/fields/custom14/search?q=x');
    assert.equal(trips.status, 503);
    assert.match(((await trips.json()) as ErrorBody).error.message, /Concur sign-in/);
  });
});

describe('the element library build (dist/, made by npm run build)', () => {
  const lib = 'dist/lib';
  test('one ES module entry with type declarations, Lit left to the app', () => {
    assert.ok(existsSync(`${lib}/index.js`) && existsSync(`${lib}/index.d.ts`), 'run npm run build first');
    const picker = readFileSync(`${lib}/elements/leu-picker.js`, 'utf8');
    assert.match(picker, /from "lit"/, 'lit is imported, not bundled');
    assert.ok(!readFileSync(`${lib}/index.js`, 'utf8').includes('class ReactiveElement'), 'no copy of Lit inside');
    const types = readFileSync(`${lib}/elements/leu-picker.d.ts`, 'utf8');
    assert.match(types, /source: string/);
    assert.match(readFileSync(`${lib}/index.d.ts`, 'utf8'), /connectPicker/);
    const pkg = z
      .object({
        exports: z.object({ '.': z.object({ import: z.string(), types: z.string() }) }),
        customElements: z.string(),
      })
      .parse(JSON.parse(readFileSync('package.json', 'utf8')));
    assert.equal(pkg.exports['.'].import, './dist/lib/index.js');
    assert.equal(pkg.exports['.'].types, './dist/lib/index.d.ts');
    assert.equal(pkg.customElements, 'dist/lib/custom-elements.json');
  });

  test('custom-elements.json describes every element: attributes, events, slots, parts and CSS properties', () => {
    const manifest = JSON.parse(readFileSync(`${lib}/custom-elements.json`, 'utf8')) as {
      modules: {
        declarations?: {
          tagName?: string;
          attributes?: { name: string }[];
          events?: { name: string }[];
          slots?: { name: string }[];
          cssParts?: { name: string }[];
          cssProperties?: { name: string }[];
        }[];
      }[];
    };
    const tags = new Map(
      manifest.modules
        .flatMap((m) => m.declarations ?? [])
        .filter((d) => d.tagName)
        .map((d) => [d.tagName!, d]),
    );
    assert.deepEqual([...tags.keys()].sort(), ['leu-field', 'leu-picker', 'leu-popup', 'leu-search', 'leu-wizard']);
    const picker = tags.get('leu-picker')!;
    assert.deepEqual(picker.attributes!.map((a) => a.name).sort(), ['language', 'mobile', 'source']);
    assert.deepEqual(picker.events!.map((e) => e.name).sort(), ['leu-choose', 'leu-close']);
    assert.ok(picker.cssParts!.some((p) => p.name === 'done'));
    assert.ok(tags.get('leu-search')!.cssProperties!.some((p) => p.name === '--leu-accent'));
    assert.deepEqual(
      tags.get('leu-wizard')!.slots!.map((s) => s.name),
      ['secondary'],
    );
  });

  /** Bundles a one-line app against dist/lib, as a customer's bundler would, and says which tags came along. */
  async function bundle(source: string) {
    const dir = mkdtempSync(join(tmpdir(), 'shake-'));
    writeFileSync(join(dir, 'main.js'), source.replaceAll('LIB', join(process.cwd(), lib)));
    const out = (await build({
      configFile: false,
      logLevel: 'silent',
      root: dir,
      build: {
        write: false,
        minify: false,
        lib: { entry: join(dir, 'main.js'), formats: ['es'] },
        rolldownOptions: { onwarn: () => undefined },
      },
    })) as { output: { code?: string }[] }[];
    const code = out[0]!.output.map((o) => o.code ?? '').join('\n');
    return {
      code,
      tags: ['leu-picker', 'leu-popup', 'leu-search', 'leu-wizard', 'leu-field'].filter((t) => code.includes(`"${t}"`)),
    };
  }

  test('tree-shakable: an app takes only what it uses from the one entry', async () => {
    const onlyProtocol = await bundle(`import { connectPicker } from 'LIB/index.js';\nwindow.connect = connectPicker;`);
    assert.match(onlyProtocol.code, /function connectPicker/);
    assert.deepEqual(onlyProtocol.tags, [], 'no element came along');
    assert.ok(!onlyProtocol.code.includes('LitElement'), 'nor Lit');
    const picker = await bundle(`import { LeuPickerElement } from 'LIB/index.js';\nwindow.picker = LeuPickerElement;`);
    assert.deepEqual(
      picker.tags,
      ['leu-picker', 'leu-search', 'leu-wizard', 'leu-field'],
      'the picker and what it renders, not the Concur popup',
    );
    const all = await bundle(`import 'LIB/define.js';`);
    assert.deepEqual(all.tags, ['leu-picker', 'leu-popup', 'leu-search', 'leu-wizard', 'leu-field']);
  });
});
