// Where the programs the tests need live on this machine: an executable on PATH (redis-server),
// and Chromium in the places Debian, Google Chrome and playwright put it.

import { accessSync, constants, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';

function executable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The full path of `name` in one of the PATH directories, as a shell would pick it; undefined when
 * no directory has it.
 *
 * @example
 * onPath('redis-server'); // '/usr/bin/redis-server'
 */
export function onPath(name: string, path = process.env.PATH ?? ''): string | undefined {
  for (const dir of path.split(delimiter)) {
    if (dir && executable(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

/** Browsers that playwright downloaded (`npx playwright install chromium`), newest first. */
function playwrightChromiums(): string[] {
  const root = process.env.PLAYWRIGHT_BROWSERS_PATH || join(homedir(), '.cache', 'ms-playwright');
  let dirs: string[];
  try {
    dirs = readdirSync(root);
  } catch {
    return [];
  }
  const inside = [
    ['chrome-linux', 'chrome'],
    ['chrome-linux64', 'chrome'],
    ['chrome-linux', 'headless_shell'],
    ['chrome-headless-shell-linux64', 'chrome-headless-shell'],
  ];
  return dirs
    .filter((dir) => /^chromium(_headless_shell)?-\d+$/.test(dir))
    .sort((a, b) => Number(b.split('-').at(-1)) - Number(a.split('-').at(-1)))
    .flatMap((dir) => inside.map((parts) => join(root, dir, ...parts)));
}

/**
 * A Chromium (or Chrome) that playwright-core can drive: `CHROMIUM_PATH` when set (and only it,
 * so that a wrong setting is noticed), else the first of `chromium`, `chromium-browser`,
 * `google-chrome` on PATH, Debian's and Google's install paths, and playwright's download cache.
 *
 * @example
 * const executablePath = findChromium(); // undefined: no browser on this machine
 */
export function findChromium(): string | undefined {
  const configured = process.env.CHROMIUM_PATH;
  if (configured) return executable(configured) ? configured : undefined;
  for (const name of ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable']) {
    const found = onPath(name);
    if (found) return found;
  }
  const places = [
    '/usr/bin/chromium',
    '/usr/bin/chromium-browser',
    '/usr/bin/google-chrome',
    '/usr/bin/google-chrome-stable',
    '/opt/google/chrome/chrome',
    '/snap/bin/chromium',
    '/Applications/Chromium.app/Contents/MacOS/Chromium',
    '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
    ...playwrightChromiums(),
  ];
  return places.find(executable);
}
