// Headless Chromium for browser tests, driven by playwright-core: the one the test run found
// (test/helpers/services), one launcher with the flags it needs, a fresh profile per run, and the
// launch and close around a suite.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
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
  options: {
    viewport?: { width: number; height: number };
    deviceScaleFactor?: number;
    /** More command-line flags (host-resolver rules, certificate handling for a test CA). */
    args?: string[];
  } = {},
): Promise<{ context: BrowserContext; close: () => Promise<void> }> {
  const executablePath = services.chromium;
  if (!executablePath) {
    throw new Error('no Chromium on this machine: apt-get install chromium, or set CHROMIUM_PATH');
  }
  const profile = mkdtempSync(join(tmpdir(), 'wxl-chromium-'));
  const { args = [], ...rest } = options;
  const context = await chromium.launchPersistentContext(profile, {
    executablePath,
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

/**
 * Chromium for the describe block this is called in: launched (with `options`) before its tests,
 * closed after them. Returns its browser context, for the tests to call.
 *
 * @example
 * describe.skipIf(!hasChromium)('in Chromium', () => {
 *   const browser = chromiumForSuite();
 *   it('...', async () => { const page = await browser().newPage(); });
 * });
 */
export function chromiumForSuite(
  options: Parameters<typeof launchChromium>[0] = {},
  launchTimeoutMs = 60_000,
): () => BrowserContext {
  let launched: Awaited<ReturnType<typeof launchChromium>> | undefined;
  beforeAll(async () => {
    launched = await launchChromium(options);
  }, launchTimeoutMs);
  afterAll(() => launched?.close());
  return () => {
    if (!launched) throw new Error('Chromium did not launch: see the beforeAll error');
    return launched.context;
  };
}
