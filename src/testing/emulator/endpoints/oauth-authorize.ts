// The pages a browser opens on open.weixin.qq.com: /connect/oauth2/authorize (official-account H5)
// and /connect/qrconnect (website QR login), their checks and error pages, and the consent form.

import type { EmulatorRequest, EndpointContext, EndpointHandler } from '../endpoint.js';
import type { PendingConsent } from '../oauth-codes.js';
import { type Reply, redirectTo, text } from '../replies.js';
import type { OAuthScope } from '../types.js';

/**
 * WeChat matches the link against a pattern ("正则强匹配"): these four, first and in this order.
 * What follows them is seen in working links in any order (`…&scope=X&connect_redirect=1&state=S`
 * as well as `…&state=S&connect_redirect=1`), so only the names are checked there.
 */
const REQUIRED = ['appid', 'redirect_uri', 'response_type', 'scope'];
/** `connect_redirect=1` is what WeChat itself adds to a link it redirects; SDKs copy it. */
const OPTIONAL = new Set(['state', 'forcePopup', 'forceSnapShot', 'connect_redirect']);
const STATE = /^[a-zA-Z0-9]{0,128}$/;
const BOOLEAN = /^(true|false)$/;

/**
 * `GET /connect/oauth2/authorize?appid&redirect_uri&response_type=code&scope&state`: checks the
 * parameters like WeChat (error pages 10012, 10011, 10010, 10003, 10005; the order; an
 * urlEncoded redirect_uri), then redirects at once for `snsapi_base`, or shows the consent page.
 *
 * @example
 * oauthAuthorize({ method: 'GET', query, rawQuery, rawBody: '' }, ctx); // a 302 or an HTML page
 */
export const oauthAuthorize: EndpointHandler = (req, ctx) => authorize(req, ctx, false);

/**
 * `GET /connect/qrconnect?...&scope=snsapi_login&state`: the website QR login page; the "scan" is
 * the same consent form. Its codes live 10 minutes. Parameters in any order, `response_type`
 * optional and wxLogin.js's own (`login_type`, `self_redirect`, `style`, `href`…) accepted, as
 * the embedded QR code sends them.
 *
 * @example
 * qrConnect({ method: 'GET', query, rawQuery, rawBody: '' }, ctx);
 */
export const qrConnect: EndpointHandler = (req, ctx) => authorize(req, ctx, true);

/**
 * `POST /connect/confirm` with `ticket` and `action=allow|deny` (the consent page's form): back to
 * the site with `?code=CODE&state=STATE`, or with `?state=STATE` alone when the user refused.
 *
 * @example
 * oauthConfirm({ method: 'POST', query: {}, rawQuery: '', rawBody: 'ticket=…&action=allow' }, ctx);
 */
export const oauthConfirm: EndpointHandler = (req, ctx) => {
  if (req.method !== 'POST') return page(405, 'Method Not Allowed', '<p>Use the buttons of the page.</p>');
  const form = new URLSearchParams(req.rawBody);
  const consent = ctx.oauth.codes.takeConsent(form.get('ticket') ?? '');
  if (!consent) return errorPage(undefined, '授权已过期 (this consent page expired or was answered already)');
  return answer(ctx, consent, form.get('action') === 'allow');
};

function authorize(req: EmulatorRequest, ctx: EndpointContext, qr: boolean): Reply {
  const pairs = req.rawQuery === '' ? [] : req.rawQuery.split('&').map(splitPair);
  const value = (name: string) => pairs.find(([k]) => k === name)?.[1];
  if (!value('appid')) return errorPage(10012, 'appid不能为空');
  if (!value('redirect_uri')) return errorPage(10011, 'redirect_uri不能为空');
  if (!value('scope')) return errorPage(10010, 'scope不能为空');
  const names = pairs.map(([k]) => k);
  const rest = names.slice(REQUIRED.length);
  if (new Set(names).size !== names.length) return errorPage(undefined, '参数错误: a parameter is repeated');
  // The QR page has no such pattern: wxLogin.js itself opens it as appid, scope, redirect_uri,
  // state, login_type, self_redirect, style… and without response_type.
  if (
    !qr &&
    (names.slice(0, REQUIRED.length).join('&') !== REQUIRED.join('&') || rest.some((n) => !OPTIONAL.has(n)))
  ) {
    return errorPage(
      undefined,
      `参数错误: the link must start with ${REQUIRED.join(', ')} in this order, then only ${[...OPTIONAL].join(', ')}`,
    );
  }
  for (const flag of ['forcePopup', 'forceSnapShot']) {
    const v = value(flag);
    if (v !== undefined && !BOOLEAN.test(v)) return errorPage(undefined, `${flag} 参数错误: true or false`);
  }
  const responseType = value('response_type');
  if (responseType !== 'code' && !(qr && responseType === undefined)) {
    return errorPage(undefined, 'response_type 参数错误');
  }
  const appId = decode(value('appid')!);
  if (appId === undefined || ctx.state.secretOf(appId) === undefined)
    return errorPage(40013, 'invalid appid');
  const rawRedirect = value('redirect_uri')!;
  // An unencoded redirect_uri would lose its own query to ours: WeChat insists on urlEncode.
  if (/[:/?#]/.test(rawRedirect)) return errorPage(undefined, 'redirect_uri 参数错误: urlEncode it');
  const redirectUri = decode(rawRedirect);
  const target = redirectUri === undefined ? undefined : parseUrl(redirectUri);
  if (!target) return errorPage(undefined, 'redirect_uri 参数错误');
  if (!ctx.oauth.apps.domainAllowed(appId, target.host))
    return errorPage(10003, 'redirect_uri域名与后台配置不一致');
  const scope = decode(value('scope')!) as OAuthScope;
  const fits = qr ? scope === 'snsapi_login' : scope === 'snsapi_base' || scope === 'snsapi_userinfo';
  if (!fits || !ctx.oauth.apps.scopeAllowed(appId, scope))
    return errorPage(10005, '此公众号并没有这些scope的权限');
  const rawState = value('state');
  const state = rawState === undefined ? undefined : decode(rawState);
  if (state !== undefined && !STATE.test(state))
    return errorPage(undefined, 'state 参数错误: a-zA-Z0-9, at most 128');

  if (!qr && scope === 'snsapi_userinfo' && ctx.oauth.person.snapshotMode) {
    // Snapshot mode (快照页): no popup; the page gets a code of a virtual user, which the
    // code exchange marks with is_snapshotuser: 1.
    return answer(
      ctx,
      ctx.oauth.codes.snapshotConsent({ appId, scope, redirectUri: target.href, state }),
      true,
    );
  }
  const user = ctx.oauth.person.userFor(appId);
  const consent: PendingConsent = { appId, openid: user.openid, scope, redirectUri: target.href, state, qr };
  const mode = ctx.oauth.person.consentMode;
  // snsapi_base is silent on WeChat: no page, no way to refuse.
  if (scope === 'snsapi_base' || mode === 'allow') return answer(ctx, consent, true);
  if (mode === 'deny') return answer(ctx, consent, false);
  const ticket = ctx.oauth.codes.openConsent(consent);
  const profile = ctx.oauth.person.profileOf(appId, user.openid);
  return page(
    200,
    qr ? '微信登录' : '微信授权',
    `<p>App <code id="appid">${escapeHtml(appId)}</code> asks for your nickname and avatar (<code id="scope">${escapeHtml(scope)}</code>).</p>
<p>Signed in to WeChat as <b id="nickname">${escapeHtml(profile?.nickname ?? '')}</b> (<code id="openid">${escapeHtml(user.openid)}</code>).</p>
<form method="post" action="/connect/confirm">
<input type="hidden" name="ticket" value="${ticket}">
<button type="submit" name="action" value="allow" id="allow">Allow</button>
<button type="submit" name="action" value="deny" id="deny">Deny</button>
</form>`,
  );
}

function answer(ctx: EndpointContext, consent: PendingConsent, allow: boolean): Reply {
  const url = new URL(consent.redirectUri);
  const params = new URLSearchParams(url.search);
  if (allow) params.append('code', ctx.oauth.codes.issue(consent));
  if (consent.state !== undefined) params.append('state', consent.state);
  url.search = params.toString();
  return redirectTo(url.href);
}

function splitPair(pair: string): [string, string] {
  const eq = pair.indexOf('=');
  return eq < 0 ? [pair, ''] : [pair.slice(0, eq), pair.slice(eq + 1)];
}

function decode(raw: string): string | undefined {
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
}

function parseUrl(value: string): URL | undefined {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url : undefined;
  } catch {
    return undefined;
  }
}

/** WeChat shows its OAuth errors as a page (HTTP 200), with the number in it. */
function errorPage(errcode: number | undefined, message: string): Reply {
  const code = errcode === undefined ? '' : `<p>errcode: <span id="errcode">${errcode}</span></p>`;
  const reply = page(200, '微信授权错误', `<p id="error">${escapeHtml(message)}</p>${code}`);
  return errcode === undefined ? reply : { ...reply, errcode };
}

function page(status: number, title: string, body: string): Reply {
  return text(
    status,
    `<!DOCTYPE html><html><head><meta charset="utf-8"><title>${title}</title></head><body><h1>${title}</h1>\n${body}\n</body></html>\n`,
    'text/html; charset=utf-8',
  );
}

function escapeHtml(value: string): string {
  return value.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );
}
