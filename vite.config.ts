// Builds the popup app (index.html) and the sandbox's simulated expense form, both served under /app/.
import { defineConfig } from 'vite';

export default defineConfig({
  base: '/app/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    rollupOptions: {
      input: { app: 'index.html', simulator: 'server/sandbox/simulator.html' },
      onwarn(warning, warn) {
        // zod's sources carry /*#__PURE__*/ comments Rollup cannot place; harmless, and not ours to fix.
        if (warning.code === 'INVALID_ANNOTATION' && warning.id?.includes('node_modules')) return;
        warn(warning);
      },
    },
  },
});
