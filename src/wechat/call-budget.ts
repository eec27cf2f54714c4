// How long one WeChat call may take at most (every attempt's timeout and backoff): the HTTP
// layer owns the number, and the core sizes its waits and locks from it.

/** The abort signal fires this long after axios's own timeout, as a backstop. */
export const ABORT_MARGIN_MS = 50;

/**
 * The longest a call with these settings can take: each attempt's timeout (and the abort's margin)
 * plus each backoff at its most (+50 % jitter).
 *
 * @example
 * worstCaseMs({ timeoutMs: 5000, retries: 2, retryDelayMs: 100 }); // 15_600 = 3 × 5050 + 150 + 300
 */
export function worstCaseMs(options: { timeoutMs: number; retries: number; retryDelayMs: number }): number {
  let total = 0;
  for (let attempt = 1; attempt <= 1 + options.retries; attempt++) {
    total += options.timeoutMs + ABORT_MARGIN_MS;
    if (attempt <= options.retries) total += Math.ceil(options.retryDelayMs * 2 ** (attempt - 1) * 1.5);
  }
  return total;
}
