// Headless Chromium for browser tests, driven by playwright-core: the one the test run found
// (test/helpers/services), one launcher with the flags it needs, a fresh profile per run.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';
import { services } from './services/index.js';

/** Whether this run has a browser: suites that launch one are skipped without it. */
export const hasChromium = services.chromium !== undefined;

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
  options: { viewport?: { width: number; height: number }; deviceScaleFactor?: number } = {},
): Promise<{ context: BrowserContext; close: () => Promise<void> }> {
  const executablePath = services.chromium;
  if (!executablePath) {
    throw new Error('no Chromium on this machine: apt-get install chromium, or set CHROMIUM_PATH');
  }
  const profile = mkdtempSync(join(tmpdir(), 'wxl-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    args: ARGS,
    ...options,
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
