// The emulator's options, checked once when it starts and given their defaults: a bad one throws
// a TypeError that names it.

import type { WeChatEmulatorOptions } from './types.js';

const DEFAULT_APP = { appId: 'wx_emulator_app00', appSecret: 'emulator_secret_0123456789abcdef' };

/** The options with every default filled in (but `host` and `port`, which only listening needs). */
export interface EmulatorSettings {
  /** Each app's appId and appSecret: none empty, no appId twice. */
  apps: ReadonlyArray<{ appId: string; appSecret: string }>;
  /** The apps as given, with their web OAuth settings (checked by `OAuthApps`). */
  oauthApps: NonNullable<WeChatEmulatorOptions['apps']>;
  codeTtlMs: number;
  accessTokenTtlSeconds: number;
  rotateSessionKeyOnLogin: boolean;
  phoneCountryCodeAsNumber: boolean;
  now: () => number;
  devRoutes: boolean;
}

/**
 * Checks the options of `startWeChatEmulator` and fills in the defaults documented there.
 *
 * @example
 * emulatorSettings({ codeTtlMs: 1000 }).accessTokenTtlSeconds; // 7200
 */
export function emulatorSettings(options: WeChatEmulatorOptions): EmulatorSettings {
  return {
    apps: checkApps(options.apps ?? [DEFAULT_APP]),
    oauthApps: options.apps ?? [DEFAULT_APP],
    codeTtlMs: positive(options.codeTtlMs ?? 5 * 60_000, 'codeTtlMs'),
    accessTokenTtlSeconds: positive(options.accessTokenTtlSeconds ?? 7200, 'accessTokenTtlSeconds'),
    rotateSessionKeyOnLogin: options.rotateSessionKeyOnLogin ?? true,
    phoneCountryCodeAsNumber: options.phoneCountryCodeAsNumber ?? false,
    now: options.now ?? Date.now,
    devRoutes: options.devRoutes ?? false,
  };
}

function checkApps(
  apps: ReadonlyArray<{ appId: string; appSecret: string }>,
): ReadonlyArray<{ appId: string; appSecret: string }> {
  if (!Array.isArray(apps) || apps.length === 0)
    throw new TypeError('WeChat emulator: apps must not be empty');
  const seen = new Set<string>();
  for (const app of apps) {
    if (
      typeof app?.appId !== 'string' ||
      app.appId === '' ||
      typeof app.appSecret !== 'string' ||
      app.appSecret === ''
    ) {
      throw new TypeError('WeChat emulator: each app needs a non-empty appId and appSecret');
    }
    if (seen.has(app.appId)) throw new TypeError(`WeChat emulator: appId ${app.appId} is given twice`);
    seen.add(app.appId);
  }
  return apps.map((a) => ({ appId: a.appId, appSecret: a.appSecret }));
}

function positive(value: number, name: string): number {
  if (!Number.isFinite(value) || value <= 0)
    throw new TypeError(`WeChat emulator: ${name} must be a positive number`);
  return value;
}
