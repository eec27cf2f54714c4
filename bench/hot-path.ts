// `node --import tsx bench/hot-path.ts`: CPU microseconds per operation of the request's hot path,
// in one process: token checks (jose vs ours, miss vs hit) and session reads (MemoryStore).

import { createSecretKey, randomBytes, webcrypto } from 'node:crypto';
import { jwtVerify, SignJWT } from 'jose';
import { type SessionRecord, SessionRepository } from '../src/core/sessions.js';
import { TokenService } from '../src/core/tokens.js';
import { MemoryStore } from '../src/stores/memory-store.js';
import type { StoredValue } from '../src/stores/types.js';

const N = Number(process.argv[2] ?? 20_000);
const SECRET = 'bench-token-secret-0123456789-abcdefghijklmnopqrstuv';
const AUD = 'wx_emulator_app00';
const now = Math.floor(Date.now() / 1000);
const openid = (i: number) => `o${String(i).padStart(10, '0')}BenchUserAbCdEfGh`;

/** CPU time (user + system) per call of `op` over `count` calls, in microseconds. */
async function perOp(count: number, op: (i: number) => unknown): Promise<number> {
  const before = process.cpuUsage();
  for (let i = 0; i < count; i++) {
    const r = op(i);
    if (r instanceof Promise) await r;
  }
  const used = process.cpuUsage(before);
  return (used.user + used.system) / count;
}

const signer = new TokenService(AUD, [{ secret: SECRET }]);
const sids = Array.from({ length: N }, () => randomBytes(16).toString('base64url'));
const tokens: string[] = [];
for (let i = 0; i < N; i++) {
  tokens.push(
    await signer.sign({ openid: openid(i), sid: sids[i] as string, issuedAt: now, expiresAt: now + 86400 }),
  );
}
const options = { algorithms: ['HS256'], audience: AUD, issuer: 'express-wx-login', clockTolerance: 30 };
const keyObject = createSecretKey(Buffer.from(SECRET));
const cryptoKey = await webcrypto.subtle.importKey(
  'raw',
  Buffer.from(SECRET),
  { name: 'HMAC', hash: 'SHA-256' },
  false,
  ['sign', 'verify'],
);
/** Each request brings its own copy of the token text (made outside the timed part). */
const copies = () => tokens.map((t) => Buffer.from(t).toString());

const rows: [string, number][] = [];
const timedVerify = (service: TokenService) => {
  const texts = copies();
  return perOp(N, (i) => service.verifyNow(texts[i] as string));
};
rows.push([
  'jose jwtVerify, KeyObject',
  await perOp(N / 4, (i) => jwtVerify(tokens[i] as string, keyObject, options)),
]);
rows.push([
  'jose jwtVerify, CryptoKey',
  await perOp(N / 4, (i) => jwtVerify(tokens[i] as string, cryptoKey, options)),
]);
const uncached = new TokenService(AUD, [{ secret: SECRET }], { cacheBytes: 0 });
rows.push(['verifyNow, no cache', await timedVerify(uncached)]);
const service = new TokenService(AUD, [{ secret: SECRET }]);
rows.push(['verifyNow, miss (HMAC + checks + cache set)', await timedVerify(service)]);
rows.push(['verifyNow, hit (cache)', await timedVerify(service)]);
rows.push([
  'jose sign, KeyObject',
  await perOp(N / 4, (i) =>
    new SignJWT({ sid: sids[i] }).setProtectedHeader({ alg: 'HS256' }).setSubject(openid(i)).sign(keyObject),
  ),
]);
rows.push([
  'TokenService.sign (CryptoKey)',
  await perOp(N / 4, (i) =>
    signer.sign({ openid: openid(i), sid: sids[i] as string, issuedAt: now, expiresAt: now + 60 }),
  ),
]);

const store = new MemoryStore();
for (let i = 0; i < N; i++) {
  const record: SessionRecord = {
    sid: sids[i] as string,
    openid: openid(i),
    appId: AUD,
    source: 'miniprogram',
    createdAt: now,
    expiresAt: now + 86400,
    user: { userId: i },
  };
  store.set(`${AUD}:sess:${sids[i]}`, record as unknown as StoredValue, 3_600_000);
}
const sessions = new SessionRepository(store, AUD, { cacheMs: 60_000 });
rows.push([
  'sessions.loadNow, miss (MemoryStore get + JSON.parse + cache set)',
  await perOp(N, (i) => sessions.loadNow(sids[i] as string)),
]);
rows.push(['sessions.loadNow, hit', await perOp(N, (i) => sessions.loadNow(sids[i] as string))]);
rows.push([
  'sessions.load (the same, awaited as a promise), hit',
  await perOp(N, (i) => sessions.load(sids[i] as string)),
]);

for (const [name, us] of rows) console.log(`${us.toFixed(1).padStart(7)} us  ${name}`);
