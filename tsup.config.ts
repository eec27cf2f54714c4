import { copyFileSync, mkdirSync } from 'node:fs';
import { defineConfig } from 'tsup';

// ESM and CommonJS builds with their own .d.ts/.d.cts. Every dependency stays external (tsup's
// default for dependencies and peers): jose 6 ships ESM only, and the CommonJS build requires it
// through require(esm), which Node >= 20.19 (our engines) has, so a jose fix reaches every user.
const entry = { index: 'src/index.ts', 'testing/index': 'src/testing/index.ts' };

export default defineConfig([
  {
    entry,
    format: 'esm',
    dts: true,
    clean: true,
    sourcemap: true,
    target: 'node20',
    splitting: false,
    // The emulator's guide ships next to its build, for readers of node_modules (after `clean`).
    onSuccess: async () => {
      mkdirSync('dist/testing', { recursive: true });
      copyFileSync('src/testing/README.md', 'dist/testing/README.md');
    },
  },
  { entry, format: 'cjs', dts: true, sourcemap: true, target: 'node20' },
  {
    // `npx express-wx-login emulator`: the emulator as a dev server (package.json "bin").
    entry: { cli: 'src/testing/cli.ts' },
    format: 'esm',
    sourcemap: true,
    target: 'node20',
    splitting: false,
  },
]);
