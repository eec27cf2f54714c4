// Store keys of one user: `<appId>:{u:<openid>}:...` (or `{n:<unionid>}`), so that on Redis Cluster
// every key of one user hashes to one slot (the braces are a Cluster hash tag).

/**
 * The store key `what` of the user `id` (an openid for `'u'`, a unionid for `'n'`).
 *
 * @example
 * userKey('wx123', 'u', 'o6_bm', 'sessions'); // 'wx123:{u:o6_bm}:sessions'
 */
export function userKey(appId: string, kind: 'u' | 'n', id: string, what: string): string {
  return `${appId}:{${kind}:${id}}:${what}`;
}
