// Debian's headless Chromium for browser tests, driven by playwright-core: one launcher with the
// flags this machine needs, a fresh profile per run, removed afterwards.

import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

// Without the networking flags Chromium reaches for Google's hosts, which this machine refuses.
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Starts Chromium with a new, empty profile (a persistent context is how playwright takes a
 * --user-data-dir). `close()` ends it and removes the profile.
 */
export async function launchChromium(
  options: {
    viewport?: { width: number; height: number };
    deviceScaleFactor?: number;
    /** More command-line flags (host-resolver rules, certificate handling for a test CA). */
    args?: string[];
  } = {},
): Promise<{ context: BrowserContext; close: () => Promise<void> }> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does it)`);
  }
  const profile = mkdtempSync(join(tmpdir(), 'wxl-chromium-'));
  const { args = [], ...rest } = options;
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [...ARGS, ...args],
    ...rest,
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
