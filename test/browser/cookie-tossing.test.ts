// Runs ./cookie-tossing.suite.ts where this machine has a Chromium (the suite also makes a test
// certificate with openssl); elsewhere it is skipped, and the test run's report says so.

import { describe, expect, it } from 'vitest';
import { hasChromium } from '../helpers/chromium.js';

if (hasChromium) await import('./cookie-tossing.suite.js');

if (!hasChromium) {
  describe('cookie tossing in Chromium (needs a Chromium)', () => {
    it('is not run on this machine: apt-get install chromium', () => {
      expect(hasChromium).toBe(false);
    });
  });
}
