// Builds the popup app (index.html), the picker page for other hosts (embed.html) and the sandbox's simulated
// expense form, all served under /app/; then the element library: ES modules with types and a custom-elements
// manifest in dist/lib/, and one self-contained module in dist/embed/ for pages without a bundler.
import { build, defineConfig, type InlineConfig, type Plugin, type Rolldown } from 'vite';
import { compression } from 'vite-plugin-compression2';
import { minifyHTMLLiterals } from 'minify-literals';
import dts from 'vite-plugin-dts';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const LIBRARY_ENTRY = 'src/index.ts';

/**
 * Lit's decorators as TypeScript's experimentalDecorators with useDefineForClassFields: false compile them
 * (tsconfig.browser.json): legacy decorators, and fields assigned rather than defined, so a decorated field never
 * shadows the reactive accessor Lit puts on the prototype. Vite 8 transforms with Oxc, which is told so here.
 */
const oxc = {
  decorator: { legacy: true },
  assumptions: { setPublicClassFields: true },
  typescript: { removeClassFieldsWithoutInitializer: true },
} as const;

function onwarn(warning: Rolldown.RollupLog, warn: (w: Rolldown.RollupLog) => void) {
  // zod's sources carry /*#__PURE__*/ comments the bundler cannot place; harmless, and not ours to fix.
  if (warning.code === 'INVALID_ANNOTATION' && warning.id?.includes('node_modules')) return;
  warn(warning);
}

/**
 * After the popup, in nested builds one at a time, so that `vite build` makes everything at once: the other pages,
 * then the element library.
 */
function nestedBuilds(): Plugin {
  const nested = (config: InlineConfig): InlineConfig => ({ configFile: false, logLevel: 'warn', oxc, ...config });
  return {
    name: 'leu-nested-builds',
    apply: 'build',
    async closeBundle() {
      // The picker page for other hosts and the sandbox's simulator, apart from the popup, so that the modules they
      // share with it do not split its first screen into many small chunks.
      await build(
        nested({
          base: '/app/',
          build: {
            outDir: 'dist',
            emptyOutDir: false,
            target: 'es2022',
            rolldownOptions: {
              input: {
                embed: 'embed.html',
                simulator: 'server/sandbox/simulator.html',
                requests: 'server/sandbox/requests.html',
              },
              onwarn,
            },
          },
        }),
      );
      // For bundlers: one entry, one module per source file (tree-shakable), Lit and every dependency external,
      // so an app that uses Lit itself has it once.
      await build(
        nested({
          build: {
            outDir: 'dist/lib',
            emptyOutDir: true,
            target: 'es2022',
            minify: false,
            lib: { entry: { index: LIBRARY_ENTRY, define: 'src/define.ts' }, formats: ['es'] },
            rolldownOptions: {
              onwarn,
              external: (id) => !id.startsWith('.') && !isAbsolute(id) && !id.startsWith('\0'),
              output: { preserveModules: true, preserveModulesRoot: 'src', entryFileNames: '[name].js' },
            },
          },
          plugins: [dts({ tsconfigPath: 'tsconfig.lib.json', entryRoot: 'src' })],
        }),
      );
      // For pages without a bundler: everything in one module, served by the connector.
      await build(
        nested({
          build: {
            outDir: 'dist/embed',
            emptyOutDir: true,
            target: 'es2022',
            lib: { entry: 'src/bundle.ts', formats: ['es'], fileName: () => 'leu-elements.js' },
            rolldownOptions: { onwarn, output: { codeSplitting: false } },
          },
        }),
      );
      // The manifest, from the JSDoc contracts (custom-elements-manifest.config.mjs).
      execFileSync(
        process.execPath,
        [fileURLToPath(import.meta.resolve('@custom-elements-manifest/analyzer/cem.js')), 'analyze', '--quiet'],
        { stdio: 'inherit' },
      );
    },
  };
}

/**
 * Everything the popup needs before its first results, gzipped, at most this: the page (index.html), its entry,
 * the entry's static imports and their CSS. The first search needs no other chunk (src/api/lazy-client.ts).
 */
const FIRST_SCREEN_BUDGET = 20 * 1024;

/** Prints the popup's first-screen weight and fails the build above the budget; LEU_BUNDLE_REPORT=1 lists modules. */
function firstScreenBudget(): Plugin {
  return {
    name: 'leu-first-screen-budget',
    apply: 'build',
    // After vite's own HTML plugin, which emits index.html.
    enforce: 'post',
    generateBundle(_options, bundle) {
      const entry = Object.values(bundle).find(
        (f): f is Rolldown.OutputChunk =>
          f.type === 'chunk' && f.isEntry && f.facadeModuleId?.endsWith('/index.html') === true,
      );
      if (!entry) return this.error('the popup entry (index.html) is missing from the build');
      const files = new Set<string>();
      const visit = (name: string) => {
        if (files.has(name)) return;
        files.add(name);
        const chunk = bundle[name];
        if (chunk?.type !== 'chunk') return;
        chunk.imports.forEach(visit);
        chunk.viteMetadata?.importedCss.forEach((css) => files.add(css));
      };
      visit(entry.fileName);
      files.add('index.html');
      const sizes = [...files].map((name) => {
        const f = bundle[name]!;
        return [name, gzipSync(f.type === 'chunk' ? f.code : f.source, { level: 9 }).length] as const;
      });
      const total = sizes.reduce((sum, [, size]) => sum + size, 0);
      const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
      console.log(
        `popup first screen: ${kb(total)} gzipped (budget ${kb(FIRST_SCREEN_BUDGET)}): ` +
          sizes.map(([f, size]) => `${f.replace(/^assets\//, '')} ${kb(size)}`).join(', '),
      );
      if (process.env.LEU_BUNDLE_REPORT) {
        const modules = [...files].flatMap((name) => {
          const f = bundle[name];
          return f?.type === 'chunk'
            ? Object.entries(f.modules).map(
                ([id, m]) =>
                  [id.replace(/^.*node_modules\//, '~/').replace(process.cwd(), ''), m.renderedLength] as const,
              )
            : [];
        });
        for (const [id, length] of modules.sort((a, b) => b[1] - a[1]).slice(0, 40))
          console.log(`  ${String(length).padStart(7)}  ${id}`);
      }
      if (total > FIRST_SCREEN_BUDGET)
        this.error(
          `the popup's first screen is ${kb(total)} gzipped, over its budget of ${kb(FIRST_SCREEN_BUDGET)} ` +
            `by ${kb(total - FIRST_SCREEN_BUDGET)}`,
        );
    },
  };
}

/**
 * Lit's html`` and css`` templates minified (minify-literals: whitespace, comments, CSS), which the JS minifier
 * leaves as they are written: the first screen is mostly templates and styles.
 */
function minifyTemplates(): Plugin {
  return {
    name: 'leu-minify-templates',
    apply: 'build',
    // After TypeScript has been compiled away, on our own modules only.
    enforce: 'post',
    async transform(code, id) {
      if (!/\/src\/.*\.ts$/.test(id) || !/\b(?:html|css)`/.test(code)) return null;
      const result = await minifyHTMLLiterals(code, { fileName: id });
      return result ? { code: result.code, map: result.map } : null;
    },
  };
}

/**
 * The popup page's stylesheet inline (`<link rel="stylesheet" href="…" inline>`): a stylesheet of its own would hold
 * up the first paint for a request. The server allows the style by its hash (server/popup-page.ts).
 */
function inlineStylesheet(): Plugin {
  return {
    name: 'leu-inline-stylesheet',
    apply: 'build',
    transformIndexHtml: {
      order: 'pre',
      handler: (html) =>
        html.replace(
          /<link rel="stylesheet" href="\/(src\/[\w.-]+\.css)" inline \/>/g,
          (_, file: string) => `<style>${readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '')}</style>`,
        ),
    },
  };
}

export default defineConfig({
  base: '/app/',
  oxc,
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // No preload list for the lazy chunks (nor its polyfill): the API chunk would compete with the first screen for
    // the bandwidth of a slow network, and every lazy chunk is asked for only when it is needed.
    modulePreload: false,
    rolldownOptions: {
      // The popup alone; the other pages are built after it (nestedBuilds).
      input: { app: 'index.html' },
      onwarn,
    },
  },
  // Each of the popup's files also as .br and .gz, which the server sends to browsers that accept them.
  plugins: [
    inlineStylesheet(),
    minifyTemplates(),
    firstScreenBudget(),
    compression({ algorithms: ['brotliCompress', 'gzip'], logLevel: 'silent' }),
    nestedBuilds(),
  ],
});
