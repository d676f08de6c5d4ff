// Builds the popup app (index.html), the picker page for other hosts (embed.html) and the sandbox's simulated
// expense form, all served under /app/; then the element library: ES modules with types and a custom-elements
// manifest in dist/lib/, and one self-contained module in dist/embed/ for pages without a bundler.
import { build, defineConfig, type InlineConfig, type Plugin, type Rollup } from 'vite';
import dts from 'vite-plugin-dts';
import { execFileSync } from 'node:child_process';
import { isAbsolute } from 'node:path';
import { fileURLToPath } from 'node:url';

const LIBRARY_ENTRY = 'src/index.ts';

function onwarn(warning: Rollup.RollupLog, warn: (w: Rollup.RollupLog) => void) {
  // zod's sources carry /*#__PURE__*/ comments Rollup cannot place; harmless, and not ours to fix.
  if (warning.code === 'INVALID_ANNOTATION' && warning.id?.includes('node_modules')) return;
  warn(warning);
}

/** After the app, the library: built in nested builds so that `vite build` makes everything at once. */
function elementLibrary(): Plugin {
  const nested = (config: InlineConfig): InlineConfig => ({ configFile: false, logLevel: 'warn', ...config });
  return {
    name: 'leu-element-library',
    apply: 'build',
    async closeBundle() {
      // For bundlers: one entry, one module per source file (tree-shakable), Lit and every dependency external,
      // so an app that uses Lit itself has it once.
      await build(nested({
        build: {
          outDir: 'dist/lib', emptyOutDir: true, target: 'es2022', minify: false,
          lib: { entry: { index: LIBRARY_ENTRY, define: 'src/define.ts' }, formats: ['es'] },
          rollupOptions: {
            onwarn,
            external: (id) => !id.startsWith('.') && !isAbsolute(id) && !id.startsWith('\0'),
            output: { preserveModules: true, preserveModulesRoot: 'src', entryFileNames: '[name].js' },
          },
        },
        plugins: [dts({ tsconfigPath: 'tsconfig.lib.json', entryRoot: 'src' })],
      }));
      // For pages without a bundler: everything in one module, served by the connector.
      await build(nested({
        build: {
          outDir: 'dist/embed', emptyOutDir: true, target: 'es2022',
          lib: { entry: 'src/bundle.ts', formats: ['es'], fileName: () => 'leu-elements.js' },
          rollupOptions: { onwarn, output: { inlineDynamicImports: true } },
        },
      }));
      // The manifest, from the JSDoc contracts (custom-elements-manifest.config.mjs).
      execFileSync(process.execPath, [fileURLToPath(import.meta.resolve('@custom-elements-manifest/analyzer/cem.js')), 'analyze', '--quiet'], { stdio: 'inherit' });
    },
  };
}

export default defineConfig({
  base: '/app/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    rollupOptions: {
      input: { app: 'index.html', embed: 'embed.html', simulator: 'server/sandbox/simulator.html' },
      onwarn,
    },
  },
  plugins: [elementLibrary()],
});
