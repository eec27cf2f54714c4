// Settings every bench server shares, so that each row answers the same route with the same JSON
// and the JWT peers check as much as ours does (HS256 pinned, audience, issuer, expiry).

export const JWT_SECRET = 'bench-token-secret-0123456789-abcdefghijklmnopqrstuv';
export const JWT_AUDIENCE = 'wx_bench_app';
export const JWT_ISSUER = 'express-wx-login';
export const SESSION_SECRET = 'bench-session-secret-0123456789-abcdefghijklmnop';
export const TOKEN_TTL_SECONDS = 7 * 24 * 3600;

/** An openid-shaped user id (28 characters, like WeChat's). */
export function benchOpenid(i) {
  return `o${String(i).padStart(6, '0')}BenchUserAbCdEfGhIjKlMnO`.slice(0, 28);
}
