// Reading a request's body up to a size cap, for WeChat's endpoints and the /dev routes alike: a
// body over the cap is read to its end, so that the answer still reaches the caller, but not kept.

import type { IncomingMessage } from 'node:http';

/**
 * Collects the body as UTF-8 text, then calls `done` with it, or with `undefined` when it was
 * larger than `maxBytes`.
 *
 * @example
 * readBody(req, 64 * 1024, (body) => (body === undefined ? refuse(413) : answer(body)));
 */
export function readBody(
  req: IncomingMessage,
  maxBytes: number,
  done: (body: string | undefined) => void,
): void {
  const chunks: Buffer[] = [];
  let size = 0;
  req.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size <= maxBytes) chunks.push(chunk);
  });
  req.on('end', () => done(size > maxBytes ? undefined : Buffer.concat(chunks).toString('utf8')));
}
