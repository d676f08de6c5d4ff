// The custom-elements manifest (dist/lib/custom-elements.json) from the elements' JSDoc contracts and Lit
// decorators, for editors and frameworks: attributes, properties, events, slots, parts and CSS properties.
export default {
  globs: ['src/elements/*.ts'],
  exclude: ['src/elements/review.ts', 'src/elements/theme.ts', 'src/elements/highlight.ts'],
  outdir: 'dist/lib',
  litelement: true,
  plugins: [
    {
      // The analyzer also reads `new PopupCloseEvent('cancelled')` as an event named "cancelled"; our events are
      // all named leu-*, and documented with @fires.
      name: 'leu-events-only',
      packageLinkPhase({ customElementsManifest }) {
        for (const mod of customElementsManifest.modules) {
          for (const d of mod.declarations ?? [])
            if (d.events) d.events = d.events.filter((e) => e.name?.startsWith('leu-'));
          // The manifest ships with the built modules: point at those (src/elements/x.ts -> dist/lib/elements/x.js).
          mod.path = mod.path.replace(/^src\//, 'dist/lib/').replace(/\.ts$/, '.js');
        }
      },
    },
  ],
};
