// The narrow port through which the outer layers (web login in src/oauth/, the Express adapters)
// use a WxAuth: create a session for a verified identity, and the few settings they share. They
// never see its configuration, its secrets or its parts.

import { hkdfSync } from 'node:crypto';
import type { Agent as HttpAgent } from 'node:http';
import type { Agent as HttpsAgent } from 'node:https';
import type { WxLogger } from '../logger.js';
import type { SessionStore } from '../stores/types.js';
import type { SigningKey } from './options.js';
import type { LoginResult, VerifiedIdentity } from './session-issuer.js';

/** How the outer layers call WeChat for the same deployment (web OAuth uses the mini program's settings). */
export interface WeChatCallSettings {
  apiBaseUrl: string;
  timeoutMs: number;
  retries: number;
  retryDelayMs: number;
  /** The outbound proxy (may hold credentials: never log it) and agents of the wxLogin(). */
  proxy: string | undefined;
  httpAgent: HttpAgent | undefined;
  httpsAgent: HttpsAgent | undefined;
}

/** What a WxAuth offers the layers above it. */
export interface AuthPort {
  /** The mini program's AppID: the `aud` of its tokens and the namespace of its store keys. */
  readonly appId: string;
  /** Token and session lifetime, seconds. */
  readonly tokenTtl: number;
  readonly store: SessionStore;
  readonly logger: WxLogger | undefined;
  readonly wechat: WeChatCallSettings;
  /** Creates a session for an identity WeChat vouched for, running `onLogin` with `request`. */
  createSession(identity: VerifiedIdentity, request: unknown): Promise<LoginResult>;
  /**
   * Keys derived from the token signing keys for another purpose named by `info` (HKDF-SHA256,
   * 32 bytes each, in the signing keys' order: the first is current, the others verify only).
   */
  deriveKeys(info: string): Buffer[];
}

// Symbol.for: a WxAuth of another copy of the package (ESM and CJS both loaded) still has its port.
const PORT = Symbol.for('express-wx-login.auth-port');

/**
 * Gives `auth` its port, non-enumerable so that nothing serializes or prints it.
 *
 * @example
 * attachPort(this, { appId, tokenTtl, ... });
 */
export function attachPort(auth: object, port: AuthPort): void {
  Object.defineProperty(auth, PORT, { value: port, enumerable: false });
}

/**
 * The port of a WxAuth, or `undefined` for anything else.
 *
 * @example
 * const port = portOf(options.auth) ?? failOption('auth', 'is required: pass wxLogin(...).auth');
 */
export function portOf(auth: unknown): AuthPort | undefined {
  if (typeof auth !== 'object' || auth === null) return undefined;
  return (auth as { [PORT]?: AuthPort })[PORT];
}

/**
 * The derivation behind `AuthPort.deriveKeys`.
 *
 * @example
 * deriveKeys(signingKeys, 'express-wx-login oauth-state v2');
 */
export function deriveKeys(signingKeys: readonly SigningKey[], info: string): Buffer[] {
  return signingKeys.map((k) =>
    Buffer.from(hkdfSync('sha256', Buffer.from(k.secret, 'utf8'), Buffer.alloc(0), info, 32)),
  );
}
