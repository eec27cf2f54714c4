// worstCaseMs(): the longest one WeChat call can take (each attempt's timeout and abort margin,
// each backoff at its most), the number the core sizes its waits and locks from.

import { describe, expect, it } from 'vitest';
import { ABORT_MARGIN_MS, worstCaseMs } from '../../src/wechat/call-budget.js';
import { WeChatClient } from '../../src/wechat/client.js';

describe('worstCaseMs', () => {
  it.each([
    // One attempt: its timeout and the abort's margin.
    [{ timeoutMs: 5000, retries: 0, retryDelayMs: 100 }, 5000 + ABORT_MARGIN_MS],
    // 3 × (5000 + 50), then backoffs of 100 and 200 ms, each +50 % jitter at most.
    [{ timeoutMs: 5000, retries: 2, retryDelayMs: 100 }, 15_600],
    // Backoffs 333, 666, 1332 ms, +50 % and rounded up: 500, 999, 1998.
    [{ timeoutMs: 1000, retries: 3, retryDelayMs: 333 }, 4 * 1050 + 500 + 999 + 1998],
    [{ timeoutMs: 1, retries: 1, retryDelayMs: 0 }, 2 * (1 + ABORT_MARGIN_MS)],
  ])('%j: %i ms', (options, expected) => {
    expect(worstCaseMs(options)).toBe(expected);
  });

  it('is what the WeChat client reports for its own settings', () => {
    const wechat = new WeChatClient({
      appId: 'wx123',
      appSecret: 'secret-not-used-here',
      baseUrl: 'http://127.0.0.1:9',
      timeoutMs: 2000,
      retries: 1,
      retryDelayMs: 50,
    });
    expect(wechat.worstCaseMs).toBe(2 * 2050 + 75);
    wechat.close();
  });
});
