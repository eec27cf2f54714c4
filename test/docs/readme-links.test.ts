// The READMEs' links as the npm page shows them: relative links are dead there, so every link is
// absolute or an in-page anchor, and every anchor names a heading of the same README.

import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const REPO = resolve(import.meta.dirname, '../..');
const read = (file: string) => readFileSync(join(REPO, file), 'utf8');

/** GitHub's (and npm's) anchor of a heading; Chinese characters are letters and stay. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

describe.each([
  ['README.md', 'web-login-official-account-h5-and-website-qr'],
  ['README.zh-CN.md', '网页登录公众号-h5-与网站扫码'],
])('%s links', (file, webLoginAnchor) => {
  const readme = read(file);
  // Code is not prose: links inside fences or backticks are not links.
  const unfenced = readme.replace(/^```[\s\S]*?^```/gm, '');
  const prose = unfenced.replace(/`[^`\n]*`/g, 'code');
  const links = [...prose.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]!);

  it('are absolute (https) or in-page, so that they work on the npm page', () => {
    expect(links.length).toBeGreaterThan(5);
    expect(links.filter((link) => !/^(https:\/\/|#)/.test(link))).toEqual([]);
  });

  it('point in-page only at headings that exist', () => {
    const anchors = new Set([...unfenced.matchAll(/^#{1,6} (.+)$/gm)].map((m) => slug(m[1]!)));
    expect(anchors).toContain(webLoginAnchor);
    const dangling = links.filter(
      (link) => link.startsWith('#') && !anchors.has(decodeURIComponent(link.slice(1))),
    );
    expect(dangling).toEqual([]);
  });
});

describe('README.md and README.zh-CN.md', () => {
  it('link to each other on their first line', () => {
    expect(read('README.md').split('\n')[0]).toMatch(/^\[中文文档\]\(https:\/\/\S+\/README\.zh-CN\.md\)$/);
    expect(read('README.zh-CN.md').split('\n')[0]).toMatch(/^\[English\]\(https:\/\/\S+\/README\.md\)$/);
  });

  it('are both shipped in the package', () => {
    const pkg = JSON.parse(read('package.json')) as { files: string[] };
    expect(pkg.files).toEqual(expect.arrayContaining(['README.md', 'README.zh-CN.md']));
  });
});
