// Where a web login may send the browser afterwards: only a path of this site, never another
// origin, however the attacker spells it (`//evil`, `/\evil`, `/%2F%2Fevil`, a tab, a scheme).

/** Bytes (the answer is ASCII): returnTo travels in the signed state cookie, so it stays small. */
const MAX_LENGTH = 512;
const BASE = 'http://return-to.invalid';

function looksLocal(path: string): boolean {
  return (
    path.startsWith('/') &&
    !path.startsWith('//') &&
    // Browsers read a backslash as a slash in http(s) URLs: `/\evil.com` is `//evil.com`.
    !path.includes('\\') &&
    !hasControlCharacter(path)
  );
}

/** Browsers drop tabs and newlines inside URLs, so `/\t/evil.com` would become `//evil.com`. */
function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}

/**
 * The same-origin path to redirect to, or `undefined` when `value` is not one. `value` is the
 * query parameter as decoded once; it must also stay local when decoded a second time, since some
 * proxies and frameworks decode again. The answer is normalized (dot segments resolved,
 * non-ASCII percent-encoded), so what is checked is exactly what is sent in `Location`. At most
 * 512 characters, before and after normalizing; a longer one is refused like an unsafe one.
 *
 * @example
 * safeReturnPath('/orders?id=7'); // '/orders?id=7'
 * safeReturnPath('//evil.com');   // undefined
 * safeReturnPath('/%2F%2Fevil.com'); // undefined (decodes to //evil.com)
 */
export function safeReturnPath(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_LENGTH) return undefined;
  if (!looksLocal(value)) return undefined;
  let decodedAgain: string;
  try {
    decodedAgain = decodeURIComponent(value);
  } catch {
    return undefined;
  }
  if (!looksLocal(decodedAgain)) return undefined;
  let url: URL;
  try {
    url = new URL(value, BASE);
  } catch {
    return undefined;
  }
  if (url.origin !== BASE) return undefined;
  // `/a/../..//evil.com` normalizes to `//evil.com`: check the result too.
  const path = `${url.pathname}${url.search}${url.hash}`;
  return looksLocal(path) && path.length <= MAX_LENGTH ? path : undefined;
}
