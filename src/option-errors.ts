// The errors of option validation, one wording for every entry point (wxLogin, wxOAuth, the
// core's parsers): a TypeError that starts with the package name and names the option.

const PREFIX = 'express-wx-login:';

/**
 * Throws the TypeError for one bad option.
 *
 * @example
 * failOption('timeoutMs', 'must be an integer from 1 to 120000'); // express-wx-login: option "timeoutMs" must be ...
 */
export function failOption(option: string, requirement: string): never {
  throw new TypeError(`${PREFIX} option "${option}" ${requirement}`);
}

/**
 * Throws unless the options argument itself is an object.
 *
 * @example
 * requireOptionsObject(undefined); // TypeError: express-wx-login: options must be an object
 */
export function requireOptionsObject(value: unknown): asserts value is object {
  if (typeof value !== 'object' || value === null) throw new TypeError(`${PREFIX} options must be an object`);
}
