// The README's links as the npm page shows them: relative links are dead there, so every link is
// absolute or an in-page anchor, and every anchor names a heading of the README.

import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const README = readFileSync(join(resolve(import.meta.dirname, '../..'), 'README.md'), 'utf8');
// Code is not prose: links inside fences or backticks are not links.
const unfenced = README.replace(/^```[\s\S]*?^```/gm, '');
const prose = unfenced.replace(/`[^`\n]*`/g, 'code');
const links = [...prose.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]!);

/** GitHub's (and npm's) anchor of a heading. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

describe('README.md links', () => {
  it('are absolute (https) or in-page, so that they work on the npm page', () => {
    expect(links.length).toBeGreaterThan(5);
    expect(links.filter((link) => !/^(https:\/\/|#)/.test(link))).toEqual([]);
  });

  it('point in-page only at headings that exist', () => {
    const anchors = new Set([...unfenced.matchAll(/^#{1,6} (.+)$/gm)].map((m) => slug(m[1]!)));
    expect(anchors).toContain('web-login-official-account-h5-and-website-qr');
    const dangling = links.filter((link) => link.startsWith('#') && !anchors.has(link.slice(1)));
    expect(dangling).toEqual([]);
  });
});
