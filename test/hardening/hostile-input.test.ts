// Generated hostile input (fast-check) against every route: wrong types, huge and empty strings,
// unicode and control characters, prototype keys, malformed tokens and headers. Always a 4xx
// with our JSON error, never a 5xx or a crash, and the heap does not grow.

import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import fc from 'fast-check';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { decryptData, isWxLoginError, verifySignature } from '../../src/index.js';
import { buildApp, startEmulator } from '../helpers/app.js';

const emulator = await startEmulator();
const { app } = buildApp(emulator, { retries: 0 });
const login = await request(app).post('/wx/login').send({ code: emulator.issueLoginCode() });
const token: string = login.body.token;

/** Keys that try to reach the prototype, mixed with the fields our routes read. */
const hostileKey = fc.constantFrom(
  '__proto__',
  'constructor',
  'prototype',
  'code',
  'encryptedData',
  'iv',
  'toString',
);
const hostileString = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 200 }),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.constantFrom('', ' ', '\u0000', '\u202e', 'a'.repeat(5000), '{"code":"x"}', 'null', '+/=='),
);
const hostileValue = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    hostileString,
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.oneof(hostileKey, fc.string({ maxLength: 10 })), tie('value'), { maxKeys: 4 }),
  ),
})).value;
const hostileBody = fc.oneof(
  fc.dictionary(fc.oneof(hostileKey, fc.string({ maxLength: 10 })), hostileValue, { maxKeys: 5 }),
  fc.array(hostileValue, { maxLength: 3 }),
);
/** Header values an HTTP client can send: visible ASCII and spaces. */
const headerText = fc.string({
  unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
  maxLength: 300,
});
const b64url = fc.string({ unit: fc.constantFrom(...'ABCxyz019-_'.split('')), maxLength: 60 });
const malformedToken = fc.oneof(
  headerText,
  fc.tuple(b64url, b64url, b64url).map(([a, b, c]) => `${a}.${b}.${c}`),
  fc.tuple(b64url, b64url).map(([a, b]) => `${a}.${b}`),
  fc.constant(`${token}x`),
  fc.constant(token.split('.').reverse().join('.')),
);
const authorization = fc.oneof(
  malformedToken.map((t) => `Bearer ${t}`),
  malformedToken.map((t) => `Basic ${t}`),
  headerText,
);

function expectOurClientError(res: request.Response): void {
  expect(res.status).toBeGreaterThanOrEqual(400);
  expect(res.status).toBeLessThan(500);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  expect(res.body.error.code).toMatch(/^WX_[A-Z_]+$/);
  expect(typeof res.body.error.message).toBe('string');
}

const runs = { numRuns: 150 };
let tried = 0;

describe('hostile input', () => {
  it('POST /wx/login answers any JSON body with a 4xx of ours', async () => {
    await fc.assert(
      fc.asyncProperty(hostileBody, async (body) => {
        tried++;
        expectOurClientError(
          await request(app)
            .post('/wx/login')
            .send(body as object),
        );
      }),
      runs,
    );
  });

  it('POST /wx/login answers any raw body text with a 4xx of ours', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 400 }), async (text) => {
        tried++;
        const res = await request(app).post('/wx/login').set('Content-Type', 'application/json').send(text);
        expectOurClientError(res);
      }),
      runs,
    );
  });

  it('requireWxSession, /wx/logout and /wx/phone answer any Authorization header with 401', async () => {
    await fc.assert(
      fc.asyncProperty(
        authorization,
        fc.constantFrom('/me', '/wx/logout', '/wx/phone'),
        async (header, path) => {
          tried++;
          const req = path === '/me' ? request(app).get(path) : request(app).post(path).send({ code: 'abc' });
          const res = await req.set('Authorization', header);
          expectOurClientError(res);
          expect(res.status).toBe(401);
        },
      ),
      runs,
    );
  });

  it('several Authorization headers are refused whatever they hold', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(authorization, { minLength: 1, maxLength: 3 }), async (extra) => {
        tried++;
        const res = await request(app)
          .get('/me')
          .set('Authorization', [`Bearer ${token}`, ...extra] as unknown as string);
        expect(res.status).toBe(401);
        expect(res.body.error.code).toBe('WX_TOKEN_INVALID');
      }),
      runs,
    );
  });

  it('POST /wx/phone with a valid token answers any body with a 4xx of ours', async () => {
    await fc.assert(
      fc.asyncProperty(hostileBody, async (body) => {
        tried++;
        const res = await request(app)
          .post('/wx/phone')
          .set('Authorization', `Bearer ${token}`)
          .send(body as object);
        expectOurClientError(res);
      }),
      runs,
    );
  });

  it('req.wxUser.decrypt() answers any encryptedData and iv with a 400 of ours', async () => {
    await fc.assert(
      fc.asyncProperty(hostileValue, hostileValue, async (encryptedData, iv) => {
        tried++;
        const res = await request(app)
          .post('/werun')
          .set('Authorization', `Bearer ${token}`)
          .send({ encryptedData, iv });
        expectOurClientError(res);
        expect(res.status).toBe(400);
      }),
      runs,
    );
  });

  it('decryptData() and verifySignature() throw only WxLoginErrors of status 400 on any input', () => {
    fc.assert(
      fc.property(
        hostileValue,
        hostileValue,
        hostileValue,
        hostileValue,
        (sessionKey, encryptedData, iv, appId) => {
          tried++;
          // No random input decrypts (the watermark alone rules it out): it must throw a 400 of ours.
          const decrypted = outcomeOf(() =>
            decryptData({ sessionKey, encryptedData, iv, appId } as Parameters<typeof decryptData>[0]),
          );
          if (!decrypted.threw) throw new Error('decryptData() accepted random input');
          expect(isWxLoginError(decrypted.error)).toBe(true);
          expect((decrypted.error as { status: number }).status).toBe(400);
          // A signature check either answers a boolean or refuses the input with a 400 of ours.
          const verified = outcomeOf(() =>
            verifySignature({ rawData: encryptedData, signature: iv, sessionKey } as Parameters<
              typeof verifySignature
            >[0]),
          );
          if (verified.threw) {
            expect(isWxLoginError(verified.error)).toBe(true);
            expect((verified.error as { status: number }).status).toBe(400);
          } else {
            expect(typeof verified.value).toBe('boolean');
          }
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('keeps the heap flat over 2,000 more hostile requests', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const burst = async () => {
      const bodies = fc.sample(hostileBody, 1000);
      for (let i = 0; i < bodies.length; i += 50) {
        await Promise.all(
          bodies.slice(i, i + 50).map((b) =>
            request(app)
              .post('/wx/login')
              .send(b as object),
          ),
        );
      }
    };
    await burst();
    gc();
    const before = process.memoryUsage().heapUsed;
    await burst();
    gc();
    const growth = process.memoryUsage().heapUsed - before;
    tried += 2000;
    expect(growth).toBeLessThan(8 * 1024 * 1024);
    expect(tried).toBeGreaterThan(2000);
  });
});

/** What a call did: returned a value or threw an error; so that both are asserted, not only the throw. */
function outcomeOf(run: () => unknown): { threw: true; error: unknown } | { threw: false; value: unknown } {
  try {
    return { threw: false, value: run() };
  } catch (error) {
    return { threw: true, error };
  }
}
