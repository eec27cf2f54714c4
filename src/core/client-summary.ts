// What the app's `describeClient` says of a login's request (by default in wxLogin(): a summary of
// the User-Agent), kept with the session only as a short line of text.

import type { Configuration } from './options.js';

/**
 * The description of the device a login came from, or `undefined` when there is none, it is not
 * text, or `describe` threw (a description is never worth failing a login for).
 *
 * @example
 * clientSummary((req) => req.headers['user-agent'], req); // 'curl/8.5.0'
 */
export function clientSummary(
  describe: Configuration['describeClient'],
  request: unknown,
): string | undefined {
  if (!describe) return undefined;
  let text: unknown;
  try {
    text = describe(request as never);
  } catch {
    return undefined;
  }
  if (typeof text !== 'string') return undefined;
  // Control characters never reach a log line or a page that lists devices.
  const clean = text.replace(/\p{Cc}/gu, ' ').trim();
  return clean === '' ? undefined : clean.slice(0, 80);
}
