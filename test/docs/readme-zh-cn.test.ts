// README.zh-CN.md is README.md in Chinese: the same sections in the same order and the same code, so
// the ```ts snippets that readme-snippets.test.ts type-checks in README.md hold in Chinese as well.

import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const REPO = resolve(import.meta.dirname, '../..');
const en = readFileSync(join(REPO, 'README.md'), 'utf8');
const zh = readFileSync(join(REPO, 'README.zh-CN.md'), 'utf8');

interface Fence {
  lang: string;
  /** The snippet-test's HTML comments right above the fence, verbatim. */
  markers: string;
  code: string;
}

function fences(markdown: string): Fence[] {
  return [...markdown.matchAll(/((?:<!--[\s\S]*?-->\n)*)```(\w*)\n([\s\S]*?)^```$/gm)].map((m) => ({
    markers: m[1]!,
    lang: m[2]!,
    code: m[3]!,
  }));
}

/** Code with its comments removed: the comments are the only part of a snippet that is translated. */
function withoutComments(code: string): string {
  return code
    .replace(/\/\*\*[\s\S]*?\*\//g, '')
    .replace(/(^|\s)\/\/.*$/gm, '')
    .replace(/[ \t]+$/gm, '');
}

const headingLevels = (markdown: string) =>
  [...markdown.replace(/^```[\s\S]*?^```/gm, '').matchAll(/^(#{1,6}) /gm)].map((m) => m[1]!.length);
const errorCodes = (markdown: string) => [...new Set(markdown.match(/\bWX_[A-Z_]+\b/g))].sort();

describe('README.zh-CN.md against README.md', () => {
  it('has the same headings, level by level, in the same order', () => {
    expect(headingLevels(zh)).toEqual(headingLevels(en));
    expect(headingLevels(en).length).toBeGreaterThan(20);
  });

  it('has the same code blocks; only comments in them are translated', () => {
    const enFences = fences(en);
    const zhFences = fences(zh);
    expect(zhFences.map((f) => f.lang)).toEqual(enFences.map((f) => f.lang));
    const ts = enFences.flatMap((f, i) => (f.lang === 'ts' ? [i] : []));
    expect(ts.length).toBeGreaterThan(10);
    for (const i of ts) {
      expect({ i, markers: zhFences[i]!.markers, code: withoutComments(zhFences[i]!.code) }).toEqual({
        i,
        markers: enFences[i]!.markers,
        code: withoutComments(enFences[i]!.code),
      });
    }
  });

  it('names the same error codes', () => {
    expect(errorCodes(zh)).toEqual(errorCodes(en));
  });
});
