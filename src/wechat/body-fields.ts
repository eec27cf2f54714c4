// Reading the fields of a successful WeChat answer: a missing or empty required field is an
// upstream error (502), never a crash further down.

import { WxLoginError } from '../errors.js';
import type { WeChatBody } from './request.js';

/**
 * @example
 * const openid = requireString(body, 'openid'); // throws WX_UPSTREAM_ERROR when absent
 */
export function requireString(body: WeChatBody, field: string): string {
  const value = body[field];
  if (typeof value !== 'string' || value === '') throw malformed(field);
  return value;
}

/** The field when it is a non-empty string, else `undefined`. */
export function optionalString(body: WeChatBody, field: string): string | undefined {
  const value = body[field];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** The error for an answer without a field it must have. */
export function malformed(field: string): WxLoginError {
  return new WxLoginError('WX_UPSTREAM_ERROR', `WeChat's answer lacks a valid "${field}"`);
}
