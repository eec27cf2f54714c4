// POST /wxa/business/getuserphonenumber: the number behind a getPhoneNumber button's code, checked
// against the app of the access_token and, when given, the openid the code was issued to.

import { authorize, type EndpointHandler, jsonObject } from '../endpoint.js';
import { ok, wxError } from '../replies.js';

/**
 * Answers `{"errcode":0,"errmsg":"ok","phone_info":{…,"watermark":{timestamp,appid}}}`, or 43002
 * unless POST, the access_token errors, 47001 a body that is not a JSON object, 41008 no code,
 * 40013 a code of another app, 40029 an unknown, expired, used or other user's code.
 *
 * @example
 * phoneNumber({ method: 'POST', query: { access_token }, rawBody: '{"code":"e319…"}' }, ctx);
 */
export const phoneNumber: EndpointHandler = (req, ctx) => {
  if (req.method !== 'POST') return wxError(43002);
  const auth = authorize(ctx, req.query);
  if ('status' in auth) return auth;
  const body = jsonObject(req.rawBody);
  if (!body) return wxError(47001);
  if (typeof body.code !== 'string' || body.code === '') return wxError(41008);
  const openid = typeof body.openid === 'string' ? body.openid : undefined;
  const redeemed = ctx.state.redeemPhoneCode(auth.appId, body.code, openid);
  if (!redeemed.ok) return wxError(redeemed.errcode, redeemed.errmsg);
  const { phone, watermark } = redeemed.value;
  return ok({
    errcode: 0,
    errmsg: 'ok',
    phone_info: {
      phoneNumber: phone.phoneNumber,
      purePhoneNumber: phone.purePhoneNumber,
      countryCode: ctx.phoneCountryCodeAsNumber ? Number(phone.countryCode) : phone.countryCode,
      watermark: { timestamp: watermark.timestamp, appid: watermark.appid },
    },
  });
};
