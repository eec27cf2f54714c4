// Which apps may use web OAuth, and how: the host their redirect_uri must have and the scopes they
// hold, as each app's settings on the WeChat platform say. Checked once, when the emulator starts.

import type { OAuthScope, WeChatEmulatorOptions } from './types.js';

/** What one app may do with web OAuth. */
interface OAuthApp {
  /** `host` (with port, if any) that redirect_uri must have; any when undefined. */
  domain: string | undefined;
  scopes: ReadonlySet<OAuthScope>;
}

const ALL_SCOPES: readonly OAuthScope[] = ['snsapi_base', 'snsapi_userinfo', 'snsapi_login'];

/**
 * The web OAuth settings of the emulator's apps: `oauthDomain` and `oauthScopes` of each.
 *
 * @example
 * const apps = new OAuthApps([{ appId: 'wx123', appSecret: 's', oauthDomain: 'shop.example' }]);
 * apps.domainAllowed('wx123', 'shop.example'); // true
 */
export class OAuthApps {
  readonly #apps: ReadonlyMap<string, OAuthApp>;

  constructor(apps: NonNullable<WeChatEmulatorOptions['apps']>) {
    this.#apps = new Map(apps.map((app) => [app.appId, checkOAuthApp(app)]));
  }

  /** Whether `host` may receive redirects for the app (10003 otherwise). */
  domainAllowed(appId: string, host: string): boolean {
    const domain = this.#apps.get(appId)?.domain;
    return domain === undefined || domain === host;
  }

  /** Whether the app holds the scope (10005 otherwise). */
  scopeAllowed(appId: string, scope: OAuthScope): boolean {
    return this.#apps.get(appId)?.scopes.has(scope) ?? false;
  }
}

function checkOAuthApp(app: NonNullable<WeChatEmulatorOptions['apps']>[number]): OAuthApp {
  const { oauthDomain, oauthScopes } = app;
  if (oauthDomain !== undefined && (typeof oauthDomain !== 'string' || oauthDomain === '')) {
    throw new TypeError('WeChat emulator: oauthDomain must be a non-empty host');
  }
  const scopes = oauthScopes ?? ALL_SCOPES;
  if (!Array.isArray(scopes) || scopes.some((s) => !ALL_SCOPES.includes(s))) {
    throw new TypeError(`WeChat emulator: oauthScopes may hold only ${ALL_SCOPES.join(', ')}`);
  }
  return { domain: oauthDomain, scopes: new Set(scopes) };
}
