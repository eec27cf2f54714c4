// The map of ARCHITECTURE.md, held against the code: every relative import in src/ goes to a room
// its own room may use, so a layer never reaches up (core into Express, stores into core, ...).

import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../../src');

/** Each room and the rooms it may import (besides itself). The order is the floors, lowest first. */
const MAY_IMPORT: Record<string, readonly string[]> = {
  base: [],
  crypto: ['base'],
  wechat: ['base'],
  stores: ['base'],
  messages: ['base'],
  core: ['base', 'crypto', 'wechat', 'stores'],
  oauth: ['base', 'crypto', 'wechat', 'stores', 'core'],
  express: ['base', 'crypto', 'wechat', 'stores', 'core', 'oauth', 'messages'],
  testing: ['base', 'crypto', 'stores'],
  entry: ['base', 'crypto', 'wechat', 'stores', 'core', 'oauth', 'express', 'testing', 'messages'],
};

/** The room of a file under src/: its folder, the loose files at the top being 'base' (index.ts: 'entry'). */
function roomOf(file: string): string {
  const path = relative(SRC, file).split('\\').join('/');
  if (path === 'index.ts') return 'entry';
  const [first, second] = path.split('/');
  return second === undefined ? 'base' : (first as string);
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+'(\.[^']+)'/g;

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(IMPORT)].map((m) =>
    resolve(dirname(file), (m[1] as string).replace(/\.js$/, '.ts')),
  );
}

describe('the layering of src/', () => {
  const files = sourceFiles(SRC);

  it('knows every room (a new folder needs a line in the map and in ARCHITECTURE.md)', () => {
    const rooms = new Set(files.map(roomOf));
    expect([...rooms].filter((room) => !(room in MAY_IMPORT))).toEqual([]);
  });

  it('has no import that reaches a room its room may not use', () => {
    const wrong: string[] = [];
    for (const file of files) {
      const from = roomOf(file);
      for (const target of importsOf(file)) {
        const to = roomOf(target);
        if (to !== from && !MAY_IMPORT[from]?.includes(to)) {
          wrong.push(`${relative(SRC, file)} (${from}) -> ${relative(SRC, target)} (${to})`);
        }
      }
    }
    expect(wrong).toEqual([]);
  });

  it('reads the imports it checks (the scan itself can fail)', () => {
    const core = files.find((f) => f.endsWith('core/wx-auth.ts')) as string;
    expect(importsOf(core).map((t) => roomOf(t))).toContain('wechat');
  });
});
