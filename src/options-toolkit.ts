// The one toolkit every entry point validates its options with (wxLogin, wxOAuth, the core, the
// stores): undefined means "use the default", and a bad option fails at once with one wording.
// The stores check their calls' TTL arguments with it too, so that every such error has one shape.

import { HTTP_BASE_URL } from './constants.js';

const PREFIX = 'express-wx-login:';

/** A TypeError whose `code` is Node's own for a bad argument, so callers can switch on it. */
export interface OptionError extends TypeError {
  code: 'ERR_INVALID_ARG_VALUE';
}

/**
 * Throws the TypeError for one bad option: the message starts with the package name and names
 * the option; `code` is `'ERR_INVALID_ARG_VALUE'`.
 *
 * @example
 * failOption('timeoutMs', 'must be an integer from 1 to 120000'); // express-wx-login: option "timeoutMs" must be ...
 */
export function failOption(option: string, requirement: string): never {
  failArgument(`option "${option}" ${requirement}`);
}

/**
 * Throws the TypeError for a bad argument (an options object, a call's argument): the message is
 * `problem` after the package name; `code` is `'ERR_INVALID_ARG_VALUE'`, as for an option.
 *
 * @example
 * failArgument('options must be an object'); // express-wx-login: options must be an object
 */
export function failArgument(problem: string): never {
  const error = new TypeError(`${PREFIX} ${problem}`) as OptionError;
  error.code = 'ERR_INVALID_ARG_VALUE';
  throw error;
}

/**
 * The options object without its `undefined` entries (like express-rate-limit: an option given
 * as `undefined` means "use the default"). Throws unless `input` is an object.
 *
 * @example
 * omitUndefined({ a: 1, b: undefined }); // { a: 1 }
 */
export function omitUndefined<T extends object>(input: T): Partial<T> & Record<string, unknown> {
  if (typeof input !== 'object' || input === null) failArgument('options must be an object');
  return Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)) as Partial<T> &
    Record<string, unknown>;
}

/**
 * A required, non-blank string option.
 *
 * @example
 * const appId = requiredString(options, 'appId');
 */
export function requiredString(options: Record<string, unknown>, name: string): string {
  const value = options[name];
  if (typeof value !== 'string' || value.trim() === '')
    failOption(name, 'is required and must be a non-empty string');
  return value;
}

/**
 * An integer option from `min` to `max` (`Infinity`: no upper bound), `fallback` when absent.
 *
 * @example
 * const timeoutMs = integerOption(options, 'timeoutMs', 5000, 1, 120_000);
 */
export function integerOption(
  options: Record<string, unknown>,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const value = options[name];
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.POSITIVE_INFINITY ? `of at least ${min}` : `from ${min} to ${max}`;
    failOption(name, `must be an integer ${range}, got ${shown(value)}`);
  }
  return value;
}

/**
 * A finite number above 0 (fractions allowed), `fallback` when absent.
 *
 * @example
 * const commandTimeoutMs = positiveNumberOption(options, 'commandTimeoutMs', 1000);
 */
export function positiveNumberOption(
  options: Record<string, unknown>,
  name: string,
  fallback: number,
): number {
  const value = options[name];
  if (value === undefined) return fallback;
  if (!isPositiveNumber(value)) failOption(name, `must be a positive number, got ${shown(value)}`);
  return value;
}

/**
 * A call's argument that must be a finite number above 0, such as a store's `ttlMs` (a TTL of 0
 * would mean "never expires" to some backends).
 *
 * @example
 * const ttl = positiveNumberArgument(ttlMs, 'MemoryStore ttlMs'); // express-wx-login: MemoryStore ttlMs must be ...
 */
export function positiveNumberArgument(value: unknown, name: string): number {
  if (!isPositiveNumber(value)) failArgument(`${name} must be a positive number, got ${shown(value)}`);
  return value;
}

function isPositiveNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0;
}

/** A bad value as a message may show it: a number itself, anything else only by its type (it may be a secret). */
function shown(value: unknown): string {
  return typeof value === 'number' ? String(value) : typeof value;
}

/**
 * An optional non-blank string option, `fallback` when absent.
 *
 * @example
 * const prefix = stringOption(options, 'prefix', 'wxl:');
 */
export function stringOption(options: Record<string, unknown>, name: string, fallback: string): string {
  const value = options[name];
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || value.trim() === '') failOption(name, 'must be a non-empty string');
  return value;
}

/**
 * A boolean option, `fallback` when absent.
 *
 * @example
 * const optional = booleanOption(options, 'optional', false);
 */
export function booleanOption(options: Record<string, unknown>, name: string, fallback: boolean): boolean {
  const value = options[name];
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') failOption(name, 'must be a boolean');
  return value;
}

/**
 * One of a fixed set of string values, `fallback` when absent.
 *
 * @example
 * const endpoint = oneOf(options, 'tokenEndpoint', ['stable', 'classic'] as const, 'stable');
 */
export function oneOf<T extends string>(
  options: Record<string, unknown>,
  name: string,
  values: readonly T[],
  fallback: T | undefined,
): T {
  const value = options[name] ?? fallback;
  if (!values.includes(value as T)) failOption(name, `must be ${listOf(values)}`);
  return value as T;
}

/** `"a" or "b"`; `one of "a", "b", "c"`. */
function listOf(values: readonly string[]): string {
  const quoted = values.map((v) => `"${v}"`);
  return quoted.length === 2 ? `${quoted[0]} or ${quoted[1]}` : `one of ${quoted.join(', ')}`;
}

/**
 * An http(s) base URL option without a trailing slash, `fallback` when absent.
 *
 * @example
 * const apiBaseUrl = httpUrlOption(options, 'apiBaseUrl', 'https://api.weixin.qq.com');
 */
export function httpUrlOption(options: Record<string, unknown>, name: string, fallback: string): string {
  const value = options[name] ?? fallback;
  if (typeof value !== 'string' || !HTTP_BASE_URL.test(value)) {
    failOption(name, `must be an http(s) URL such as "${fallback}"`);
  }
  return value.replace(/\/+$/, '');
}

/**
 * An optional function option.
 *
 * @example
 * const onLogin = functionOption<WxAuthOptions['onLogin']>(options, 'onLogin');
 */
export function functionOption<T>(options: Record<string, unknown>, name: string): T | undefined {
  const value = options[name];
  if (value !== undefined && typeof value !== 'function') failOption(name, 'must be a function');
  return value as T | undefined;
}

/**
 * A route path option: starts with "/".
 *
 * @example
 * const login = pathOption(routes, 'routes.login', '/wx/login');
 */
export function pathOption(value: unknown, name: string): string {
  if (typeof value !== 'string' || !value.startsWith('/'))
    failOption(name, 'must be a path starting with "/"');
  return value;
}
