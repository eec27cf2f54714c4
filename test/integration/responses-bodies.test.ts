// Compressed and oddly encoded bodies on the package's routes: a body that is not compressed as its
// Content-Encoding says is the client's fault (400), an unknown encoding or charset 415, never 500.

import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import request from 'supertest';
import { beforeEach, describe, expect, it } from 'vitest';
import { fromBodyParserError } from '../../src/express/body-errors.js';
import { buildApp, startEmulator } from '../helpers/app.js';
import { withStderr } from '../helpers/responses.js';

const emulator = await startEmulator();
beforeEach(() => emulator.resetCalls());
// logger undefined: the default path, where a 5xx would be written to stderr.
const withParser = buildApp(emulator, { logger: undefined });
const bare = buildApp(emulator, { logger: undefined }, { jsonParser: false });
const apps = [
  ['the app’s express.json()', withParser.app],
  ['the package’s own reader', bare.app],
] as const;

function post(
  app: (typeof apps)[number][1],
  encoding: string,
  body: Buffer | string,
  type = 'application/json',
) {
  // serialize: as is (superagent would JSON-encode a Buffer sent as application/json).
  return request(app)
    .post('/wx/login')
    .set('Content-Type', type)
    .set('Content-Encoding', encoding)
    .serialize((data: unknown) => data as string)
    .send(body);
}

describe.each(apps)('compressed bodies with %s', (_name, app) => {
  it.each(['gzip', 'deflate', 'br'])(
    'answers a %s header on a plain body with 400 WX_INVALID_REQUEST',
    async (encoding) => {
      const { res, reports } = await withStderr(() => post(app, encoding, '{"code":"abc"}'));
      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        error: {
          code: 'WX_INVALID_REQUEST',
          message: 'the request body is not compressed as its Content-Encoding says',
        },
      });
      expect(reports).toEqual([]); // a client's error is not a server fault
      expect(emulator.callsTo('jscode2session')).toHaveLength(0);
    },
  );

  it('answers an unknown Content-Encoding with 415 WX_UNSUPPORTED_MEDIA_TYPE', async () => {
    const res = await post(app, 'x-unknown', '{"code":"abc"}');
    expect(res.status).toBe(415);
    expect(res.body.error.code).toBe('WX_UNSUPPORTED_MEDIA_TYPE');
  });

  it('answers an unsupported charset with 415 WX_UNSUPPORTED_MEDIA_TYPE', async () => {
    const res = await request(app)
      .post('/wx/login')
      .set('Content-Type', 'application/json; charset=x-klingon')
      .send('{"code":"abc"}');
    expect(res.status).toBe(415);
    expect(res.body).toEqual({
      error: {
        code: 'WX_UNSUPPORTED_MEDIA_TYPE',
        message: 'the charset of the request body is not supported; send UTF-8',
      },
    });
  });

  it.each([
    ['gzip', gzipSync],
    ['deflate', deflateSync],
    ['br', brotliCompressSync],
  ])('logs in with a body really compressed with %s', async (encoding, compress) => {
    const code = emulator.issueLoginCode();
    const res = await post(app, encoding, compress(Buffer.from(JSON.stringify({ code }))));
    expect(res.status).toBe(200);
    expect(res.body.tokenType).toBe('Bearer');
  });

  it('answers a gzip body that inflates past the limit with 413', async () => {
    const big = gzipSync(Buffer.from(JSON.stringify({ code: 'abc', pad: 'x'.repeat(200_000) })));
    const res = await post(app, 'gzip', big);
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('WX_BODY_TOO_LARGE');
  });
});

describe('fromBodyParserError', () => {
  const httpError = (props: Record<string, unknown>) =>
    Object.assign(new Error('x'), { expose: true, ...props });
  it.each([
    [{ type: 'entity.too.large', status: 413 }, 'WX_BODY_TOO_LARGE', 413],
    [{ type: 'parameters.too.many', status: 413 }, 'WX_BODY_TOO_LARGE', 413],
    [{ type: 'entity.parse.failed', status: 400 }, 'WX_INVALID_REQUEST', 400],
    [{ type: 'encoding.unsupported', status: 415 }, 'WX_UNSUPPORTED_MEDIA_TYPE', 415],
    [{ type: 'charset.unsupported', status: 415 }, 'WX_UNSUPPORTED_MEDIA_TYPE', 415],
    [{ type: 'request.aborted', status: 400 }, 'WX_INVALID_REQUEST', 400],
    [{ type: 'entity.verify.failed', status: 403 }, 'WX_INVALID_REQUEST', 400],
    [{ code: 'Z_DATA_ERROR', errno: -3, status: 400, statusCode: 400 }, 'WX_INVALID_REQUEST', 400],
  ])('maps %o to %s', (props, code, status) => {
    expect(fromBodyParserError(httpError(props))).toMatchObject({ code, status });
  });

  it.each([
    ['a server-side body-parser error', { type: 'stream.not.readable', status: 500 }],
    ['an app error with a 4xx status but no body-parser mark', { status: 403, code: 'EBADCSRFTOKEN' }],
    ['an error without status', { type: 'entity.too.large' }],
  ])('leaves %s alone', (_name, props) => {
    expect(fromBodyParserError(httpError(props))).toBeUndefined();
  });
});
