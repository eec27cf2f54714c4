import { defineConfig } from 'tsup';

// ESM and CommonJS builds with their own .d.ts/.d.cts. jose 6 ships ESM only, so the CommonJS
// build carries it inline; the ESM build imports it like any dependency.
const entry = { index: 'src/index.ts', 'testing/index': 'src/testing/index.ts' };

export default defineConfig([
  { entry, format: 'esm', dts: true, clean: true, sourcemap: true, target: 'node20', splitting: false },
  { entry, format: 'cjs', dts: true, sourcemap: true, target: 'node20', noExternal: ['jose'] },
]);
