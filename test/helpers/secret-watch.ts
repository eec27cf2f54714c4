// A suite-wide watch for leaks: every response body and header of apps built by test/helpers and
// every captured log line is recorded here, and after each test file none may hold a secret.

import { afterAll, expect } from 'vitest';

const recorded: string[] = [];
const secrets = new Set<string>();

/** Records text that left the app: a response body, a header, a log line, an error message. */
export function record(text: string): void {
  recorded.push(text);
}

/** Registers a value that must never appear in anything recorded. */
export function secret(value: string | undefined): void {
  if (value && value.length >= 8) secrets.add(value);
}

/** What was recorded so far (for tests that assert the watch itself works). */
export function recordedCount(): number {
  return recorded.length;
}

/** The secrets found in `text`, for assertions inside a test. */
export function leaksIn(text: string): string[] {
  return [...secrets].filter((s) => text.includes(s));
}

// An unhandled rejection anywhere in a test file is a defect even when every assertion passed.
const unhandled: unknown[] = [];
process.on('unhandledRejection', (reason) => unhandled.push(reason));

afterAll(() => {
  expect(unhandled.map(String)).toEqual([]);
  const leaks: string[] = [];
  for (const text of recorded) {
    for (const s of secrets) if (text.includes(s)) leaks.push(`${s.slice(0, 4)}… in ${text.slice(0, 120)}`);
  }
  expect(leaks).toEqual([]);
});
