// GET /cgi-bin/token and POST /cgi-bin/stable_token: the app's access_token for the APIs that need
// one. stable_token takes only a JSON body, as WeChat documents ("仅支持 POST JSON").

import { checkCredentials, type EndpointHandler, jsonObject } from '../endpoint.js';
import { ok, wxError } from '../replies.js';

/**
 * `/cgi-bin/token?grant_type=client_credential&appid&secret`: a new token on every call.
 *
 * @example
 * classicToken({ method: 'GET', query, rawBody: '' }, ctx); // {"access_token":"…","expires_in":7200}
 */
export const classicToken: EndpointHandler = (req, ctx) => {
  const refused = checkCredentials(ctx, req.query, 'client_credential');
  if (refused) return refused;
  return ok({ ...ctx.tokens.classic(req.query.appid!) });
};

/**
 * `/cgi-bin/stable_token` with `{grant_type, appid, secret, force_refresh}`: 43002 unless POST,
 * 47001 for a body that is not a JSON object, then the credential checks.
 *
 * @example
 * stableToken({ method: 'POST', query: {}, rawBody: JSON.stringify(body) }, ctx);
 */
export const stableToken: EndpointHandler = (req, ctx) => {
  if (req.method !== 'POST') return wxError(43002);
  const body = req.rawBody === '' ? {} : jsonObject(req.rawBody);
  if (!body) return wxError(47001);
  const refused = checkCredentials(ctx, body, 'client_credential');
  if (refused) return refused;
  return ok({ ...ctx.tokens.stable(body.appid as string, body.force_refresh === true) });
};
