// The Chinese message of every error code, for apps answered with `locale: 'zh-CN'`. A Record over
// the whole code union: a new code without a Chinese message does not compile.

import type { WxErrorCode } from '../errors.js';

/**
 * One Chinese message per error code: what a mini program can show its user or log. Codes stay
 * the same in every locale; only the message changes.
 *
 * @example
 * ZH_CN_MESSAGES.WX_TOKEN_EXPIRED; // '登录已过期，请重新登录'
 */
export const ZH_CN_MESSAGES: Readonly<Record<WxErrorCode, string>> = {
  WX_INVALID_REQUEST: '请求参数缺失或格式不正确',
  WX_BODY_TOO_LARGE: '请求体过大',
  WX_UNSUPPORTED_MEDIA_TYPE: '不支持的请求体编码或字符集',
  WX_TOKEN_MISSING: '缺少登录凭证，请先登录（Authorization: Bearer <token>）',
  WX_TOKEN_INVALID: '登录凭证无效，请重新登录',
  WX_TOKEN_EXPIRED: '登录已过期，请重新登录',
  WX_SESSION_REVOKED: '登录状态已失效（已退出或已过期），请重新登录',
  WX_CODE_INVALID: '登录 code 无效或已过期，请重新调用 wx.login()',
  WX_CODE_USED: '登录 code 已被使用，请重新调用 wx.login()',
  WX_PHONE_CODE_INVALID: '手机号 code 无效、已过期或已被使用，请重新获取',
  WX_RATE_LIMITED: '调用太频繁，请稍后再试',
  WX_USER_BLOCKED: '微信判定为高风险用户，已拦截本次登录',
  WX_API_UNAUTHORIZED: '小程序未获得该接口的权限（微信 48001），请在公众平台开通后重试',
  WX_UPSTREAM_UNAVAILABLE: '微信服务暂时无响应，请稍后重试',
  WX_UPSTREAM_ERROR: '微信接口返回错误，请重新获取 code 后重试',
  WX_CONFIG_REJECTED: '服务端微信配置有误，请联系管理员',
  WX_DATA_INVALID: '加密数据格式不正确',
  WX_DECRYPT_FAILED: '数据解密失败',
  WX_SESSION_KEY_STALE: '会话密钥已更新，请重新调用 wx.login() 登录后重试',
  WX_WATERMARK_MISMATCH: '数据不属于本小程序（水印 appid 不符）',
  WX_DATA_EXPIRED: '数据已过期，请重新获取',
  WX_SIGNATURE_MISMATCH: '数据签名校验失败',
  WX_OAUTH_STATE_MISSING: '缺少 state 参数',
  WX_OAUTH_STATE_INVALID: 'state 无效、已过期或已被使用，请重新发起登录',
  WX_OAUTH_STATE_MISMATCH: '本次登录不是由当前浏览器发起的，请重新发起登录',
  WX_OAUTH_DENIED: '用户拒绝了授权',
  WX_OAUTH_SCOPE_INSUFFICIENT: '授权范围不足，无法获取用户信息',
  WX_OAUTH_SNAPSHOT_USER: '当前为朋友圈快照页，请点击“使用完整服务”打开完整页面后再登录',
  WX_STORE_UNAVAILABLE: '会话存储暂时不可用，请稍后重试',
  WX_MISCONFIGURED: '服务端配置错误，请联系管理员',
  WX_HOOK_INVALID: '服务端处理登录结果出错，请联系管理员',
  WX_INTERNAL_ERROR: '服务器内部错误，请稍后重试',
};
