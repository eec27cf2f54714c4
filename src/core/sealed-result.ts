// The shared result of a code exchange, sealed with a key only a holder of the code can derive:
// anyone who can read the store sees when a login finished, never its token.

import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/** Fixed HKDF info: this key seals code-exchange results and nothing else. */
const KEY_INFO = 'express-wx-login code-exchange result v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * AES-256-GCM of `plaintext` under HKDF-SHA256(code, salt = appId, info = fixed), bound to `aad`
 * (the store key). Returns `iv.ciphertext.tag` in base64url.
 *
 * @example
 * const sealed = sealForCode(code, 'wx123', key, JSON.stringify(result));
 * openWithCode(code, 'wx123', key, sealed); // the JSON again
 */
export function sealForCode(code: string, appId: string, aad: string, plaintext: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', keyFor(code, appId), iv);
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [iv, body, cipher.getAuthTag()].map((b) => b.toString('base64url')).join('.');
}

/**
 * Opens what `sealForCode` sealed with the same code, appId and aad; `undefined` if anything
 * differs or was altered.
 *
 * @example
 * const json = openWithCode(code, 'wx123', key, sealed);
 * if (json === undefined) exchangeAgain();
 */
export function openWithCode(code: string, appId: string, aad: string, sealed: string): string | undefined {
  const parts = sealed.split('.');
  if (parts.length !== 3) return undefined;
  const [iv, body, tag] = parts.map((p) => Buffer.from(p, 'base64url')) as [Buffer, Buffer, Buffer];
  if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) return undefined;
  try {
    const decipher = createDecipheriv('aes-256-gcm', keyFor(code, appId), iv);
    decipher.setAAD(Buffer.from(aad, 'utf8'));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
  } catch {
    return undefined;
  }
}

function keyFor(code: string, appId: string): Buffer {
  return Buffer.from(hkdfSync('sha256', Buffer.from(code, 'utf8'), Buffer.from(appId, 'utf8'), KEY_INFO, 32));
}
