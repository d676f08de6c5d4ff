// The popup's translations: every message the source uses is translated in every shipped language, with its
// placeholders intact, and the generated locale modules the popup loads are current with the XLIFF files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readConfigFileAndWriteSchema } from '@lit/localize-tools/lib/config.js';
import { RuntimeLitLocalizer } from '@lit/localize-tools/lib/modes/runtime.js';
import type { RuntimeOutputConfig } from '@lit/localize-tools/lib/types/modes.js';
import type { Locale } from '@lit/localize-tools/lib/types/locale.js';

const config = readConfigFileAndWriteSchema('lit-localize.json');
const SHIPPED = ['de', 'fr', 'es', 'it', 'ja', 'pt-BR'];
/** Words that are the same in English and in the language. */
const SAME_AS_ENGLISH: Record<string, string[]> = { de: ['optional'] };

function localizer(outputDir = (config.output as RuntimeOutputConfig).outputDir) {
  return new RuntimeLitLocalizer({ ...config, output: { ...(config.output as RuntimeOutputConfig), outputDir } });
}

const source = localizer().extractSourceMessages();
const texts = (contents: unknown[]) => contents.map((c) => (typeof c === 'string' ? c : '·')).join('');

test('the popup ships English and six translations', () => {
  assert.equal(config.sourceLocale, 'en');
  assert.deepEqual([...config.targetLocales].sort(), [...SHIPPED].sort());
  assert.deepEqual(source.errors, []);
  assert.ok(source.messages.length > 50, `${source.messages.length} messages found in src/`);
});

test('every language translates every message, placeholders intact, none left in English', () => {
  const { translations } = localizer().readTranslationsSync();
  const ids = source.messages.map((m) => m.name).sort();
  const english = new Map(source.messages.map((m) => [m.name, texts(m.contents)]));
  for (const locale of SHIPPED) {
    const got = translations.get(locale as Locale) ?? [];
    const missing = ids.filter((id) => !got.some((t) => t.name === id));
    assert.deepEqual(missing, [], `${locale} lacks ${missing.map((id) => `"${english.get(id)}"`).join(', ')}`);
    const untranslated = got.filter(
      (t) => english.get(t.name) === texts(t.contents) && !SAME_AS_ENGLISH[locale]?.includes(texts(t.contents)),
    );
    assert.deepEqual(
      untranslated.map((t) => texts(t.contents)),
      [],
      `${locale} leaves these in English`,
    );
  }
  assert.deepEqual(localizer().validateTranslations().errors, []);
});

test('the generated locale modules are current with the XLIFF files (run npx lit-localize build after editing them)', async () => {
  const out = mkdtempSync(join(tmpdir(), 'locales-'));
  await localizer(out).build();
  const committed = (config.output as RuntimeOutputConfig).outputDir;
  for (const file of readdirSync(out)) {
    assert.equal(
      readFileSync(join(committed, file), 'utf8'),
      readFileSync(join(out, file), 'utf8'),
      `${file} is out of date`,
    );
  }
});
