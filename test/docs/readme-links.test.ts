// Every link in README.md and README.zh-CN.md resolves: #anchors name a heading of the same file
// (GitHub's slug rules, Chinese headings included), relative links name a file of the repo.

import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** The markdown outside fenced code blocks: links and headings in code are not links or headings. */
function prose(markdown: string): string {
  return markdown.replace(/^```[^\n]*\n[\s\S]*?^```[ \t]*$/gm, '');
}

/** GitHub's heading anchor (github-slugger): lower case, punctuation dropped, spaces to '-', -1, -2… for repeats. */
function headingSlugs(markdown: string): Set<string> {
  const slugs = new Set<string>();
  const seen = new Map<string, number>();
  for (const [, text] of prose(markdown).matchAll(/^#{1,6} (.+)$/gm)) {
    const base = (text ?? '')
      .replace(/`/g, '')
      .toLowerCase()
      .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
      .replace(/ /g, '-');
    const repeats = seen.get(base) ?? 0;
    seen.set(base, repeats + 1);
    slugs.add(repeats === 0 ? base : `${base}-${repeats}`);
  }
  return slugs;
}

function linkTargets(markdown: string): string[] {
  return [...prose(markdown).matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1] ?? '');
}

describe.each(['README.md', 'README.zh-CN.md'])('%s', (file) => {
  const markdown = readFileSync(`${root}${file}`, 'utf8');

  it('has every #anchor it links to', () => {
    const slugs = headingSlugs(markdown);
    const anchors = linkTargets(markdown).filter((t) => t.startsWith('#'));
    expect(anchors.length).toBeGreaterThan(0);
    const missing = anchors.filter((a) => !slugs.has(decodeURIComponent(a.slice(1))));
    expect(missing).toEqual([]);
  });

  it('links only to files that exist', () => {
    const relative = linkTargets(markdown).filter((t) => !t.startsWith('#') && !/^[a-z]+:/i.test(t));
    expect(relative.length).toBeGreaterThan(0);
    const missing = relative.filter((t) => !existsSync(`${root}${t.split('#')[0]}`));
    expect(missing).toEqual([]);
  });
});

describe('the two READMEs', () => {
  it('link to each other on their first line', () => {
    const en = readFileSync(`${root}README.md`, 'utf8');
    const zh = readFileSync(`${root}README.zh-CN.md`, 'utf8');
    expect(en.split('\n')[0]).toContain('](README.zh-CN.md)');
    expect(zh.split('\n')[0]).toContain('](README.md)');
  });

  it('are both shipped in the package', () => {
    const pkg = JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as { files: string[] };
    // npm always packs README.md; the Chinese one is listed so that no packlist rule can drop it.
    expect(pkg.files).toContain('README.zh-CN.md');
  });
});
