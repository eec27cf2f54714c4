// A suite-wide watch for leaks: every response body and header of apps built by test/helpers,
// every captured log line, everything written to the console or stderr, and every error a test
// hands to `recordError` (printed with util.inspect, causes included) is recorded here, and after
// each test file none may hold a secret.

import { format, inspect } from 'node:util';
import { afterAll, expect } from 'vitest';

const recorded: string[] = [];
const secrets = new Set<string>();

/** Records text that left the app: a response body, a header, a log line, an error message. */
export function record(text: string): void {
  recorded.push(text);
}

/**
 * Records an error (or any value) as `util.inspect` prints it, with every nested `cause` and
 * property: what `console.error(err)` would show an operator. Returns the text.
 */
export function recordError(err: unknown): string {
  const text = inspect(err, { depth: Number.POSITIVE_INFINITY, showHidden: false });
  recorded.push(text);
  return text;
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

// Whatever the package (or a test) prints goes through format(), which inspects errors with their
// causes, exactly as a terminal or a log collector would receive it.
for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
  const original = console[method].bind(console);
  console[method] = (...args: unknown[]) => {
    recorded.push(format(...args));
    original(...args);
  };
}
const writeStderr = process.stderr.write.bind(process.stderr) as (...args: unknown[]) => boolean;
process.stderr.write = ((chunk: unknown, ...rest: unknown[]) => {
  recorded.push(
    typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.toString('utf8') : String(chunk),
  );
  return writeStderr(chunk, ...rest);
}) as typeof process.stderr.write;

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
