// Open data as WeChat encrypts it for the mini program: AES-128-CBC with PKCS#7 padding, keyed with
// the user's session_key, the JSON carrying a watermark of the app and the time.

import { createCipheriv, randomBytes } from 'node:crypto';

/**
 * Encrypts `data` plus `watermark: { timestamp, appid }` under `sessionKey` (base64 of 16 bytes)
 * with a random iv; both outputs are base64, as `wx.getWeRunData()` and friends hand them over.
 *
 * @example
 * encryptOpenData('tiihtNczf5v6AKRyjwEUhQ==', { n: 1 }, { appid: 'wx123', timestamp: 1700000000 });
 * // { encryptedData: '…', iv: '…' }
 */
export function encryptOpenData(
  sessionKey: string,
  data: Record<string, unknown>,
  watermark: { appid: string; timestamp: number },
): { encryptedData: string; iv: string } {
  const key = Buffer.from(sessionKey, 'base64');
  if (key.length !== 16) throw new TypeError('WeChat emulator: a session_key is base64 of 16 bytes');
  const iv = randomBytes(16);
  const cipher = createCipheriv('aes-128-cbc', key, iv);
  const plaintext = JSON.stringify({
    ...data,
    watermark: { timestamp: watermark.timestamp, appid: watermark.appid },
  });
  const encrypted = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return { encryptedData: encrypted.toString('base64'), iv: iv.toString('base64') };
}
