// The loud notice of what a test run could not find: a box on stderr, each line saying what is
// skipped and the one command that installs what is missing.

/**
 * Frames `lines` under `title` in a box, for stderr.
 *
 * @example
 * process.stderr.write(box('Skipped', ['browser tests: apt-get install chromium']));
 */
export function box(title: string, lines: string[]): string {
  const width = Math.max(title.length, ...lines.map((line) => line.length));
  const edge = `+${'-'.repeat(width + 2)}+`;
  const row = (text: string): string => `| ${text.padEnd(width)} |`;
  return ['', edge, row(title), edge, ...lines.map(row), edge, ''].join('\n');
}
