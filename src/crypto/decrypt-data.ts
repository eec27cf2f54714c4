// Decrypts WeChat open data (encryptedData + iv, AES-128-CBC under the session_key) and checks its
// watermark: the app it was produced for and, when asked, its age.

import { createDecipheriv } from 'node:crypto';
import { WxLoginError } from '../errors.js';
import { decodeBase64Field } from './base64.js';

/** The watermark WeChat puts in every piece of open data. */
export interface OpenDataWatermark {
  /** The appid the data was produced for. */
  appid: string;
  /** When the device produced the data, Unix time in seconds. */
  timestamp: number;
}

/** Decrypted open data: whatever WeChat put in it, plus a checked watermark. */
export interface OpenData {
  watermark: OpenDataWatermark;
  [key: string]: unknown;
}

/** What `decryptData()` needs. */
export interface DecryptDataInput {
  /** The user's session_key, base64 as WeChat gave it. */
  sessionKey: string;
  /** `encryptedData` from the mini program, base64. */
  encryptedData: string;
  /** `iv` from the mini program, base64. */
  iv: string;
  /** Our appId: the watermark must name it. */
  appId: string;
  /** Refuse data whose watermark is older than this many seconds. Defaults to no age check. */
  maxAgeSeconds?: number;
  /** The current time, Unix seconds. Defaults to `Date.now() / 1000`. */
  now?: number;
}

const DECRYPT_FAILED_MESSAGE =
  'the open data could not be decrypted with the current session key; call wx.login() again and retry';

/**
 * Decrypts open data from the mini program and checks that its watermark names `appId`.
 *
 * Throws `WxLoginError` with `WX_DATA_INVALID` (malformed input), `WX_DECRYPT_FAILED` (wrong key:
 * usually a `wx.login()` rotated the session_key), `WX_WATERMARK_MISMATCH` (data of another app) or
 * `WX_DATA_EXPIRED` (older than `maxAgeSeconds`). No error carries the key, the iv or the data.
 *
 * @example
 * const data = decryptData<{ openId?: string; nickName: string }>({
 *   sessionKey, encryptedData: req.body.encryptedData, iv: req.body.iv, appId: 'wx4f4bc4dec97d474b',
 * });
 * data.watermark.timestamp; // 1477314187
 */
export function decryptData<T extends object = OpenData>(
  input: DecryptDataInput,
): T & { watermark: OpenDataWatermark } {
  if (typeof input !== 'object' || input === null) {
    throw new WxLoginError('WX_DATA_INVALID', 'decryptData() needs an object argument');
  }
  const { appId, maxAgeSeconds, now } = input;
  if (typeof appId !== 'string' || appId.length === 0) {
    throw new WxLoginError('WX_DATA_INVALID', 'appId must be a non-empty string');
  }
  if (
    maxAgeSeconds !== undefined &&
    !(typeof maxAgeSeconds === 'number' && Number.isFinite(maxAgeSeconds) && maxAgeSeconds > 0)
  ) {
    throw new WxLoginError('WX_DATA_INVALID', 'maxAgeSeconds must be a positive finite number');
  }
  if (now !== undefined && !(typeof now === 'number' && Number.isFinite(now))) {
    throw new WxLoginError('WX_DATA_INVALID', 'now must be a finite number of seconds');
  }
  const key = decodeBase64Field('sessionKey', input.sessionKey, { byteLength: 16 });
  const iv = decodeBase64Field('iv', input.iv, { byteLength: 16 });
  const ciphertext = decodeBase64Field('encryptedData', input.encryptedData, { multipleOf: 16 });

  const data = parseOpenData(decipher(key, iv, ciphertext));

  if (data.watermark.appid !== appId) {
    // Neither appid in the message: the client only needs to know the data is not for this app.
    throw new WxLoginError('WX_WATERMARK_MISMATCH', 'the open data was produced for another app');
  }
  if (maxAgeSeconds !== undefined) {
    const age = (now ?? Date.now() / 1000) - data.watermark.timestamp;
    if (age > maxAgeSeconds) {
      throw new WxLoginError(
        'WX_DATA_EXPIRED',
        `the open data is older than ${maxAgeSeconds} seconds; fetch it again`,
      );
    }
  }
  return data as T & { watermark: OpenDataWatermark };
}

function decipher(key: Buffer, iv: Buffer, ciphertext: Buffer): Buffer {
  try {
    const aes = createDecipheriv('aes-128-cbc', key, iv);
    return Buffer.concat([aes.update(ciphertext), aes.final()]);
  } catch {
    // No `cause`: a crypto error is the wrong place to risk carrying key or data material.
    throw new WxLoginError('WX_DECRYPT_FAILED', DECRYPT_FAILED_MESSAGE);
  }
}

/**
 * Wrong-key plaintext passes the padding check about once in 256 tries, so the bytes must also be
 * UTF-8 JSON with a well-formed watermark before we call it decrypted.
 */
function parseOpenData(plaintext: Buffer): OpenData {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(plaintext));
  } catch {
    throw new WxLoginError('WX_DECRYPT_FAILED', DECRYPT_FAILED_MESSAGE);
  }
  if (!isPlainObject(parsed)) throw new WxLoginError('WX_DECRYPT_FAILED', DECRYPT_FAILED_MESSAGE);
  const watermark = Object.hasOwn(parsed, 'watermark') ? parsed.watermark : undefined;
  if (
    !isPlainObject(watermark) ||
    typeof watermark.appid !== 'string' ||
    typeof watermark.timestamp !== 'number' ||
    !Number.isFinite(watermark.timestamp)
  ) {
    throw new WxLoginError('WX_DECRYPT_FAILED', DECRYPT_FAILED_MESSAGE);
  }
  // Returned as parsed, never merged into another object: a "__proto__" key stays an own property.
  return parsed as OpenData;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
