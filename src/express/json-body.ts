// The JSON body of the package's routes, whatever body parsers the app mounted: its own
// express.json(), none, or only urlencoded()/text()/raw(), on Express 4 (body-parser 1) and 5.

import type { IncomingMessage } from 'node:http';
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { WxLoginError } from '../errors.js';

type ParsedRequest = IncomingMessage & { body?: unknown; _body?: boolean };

/**
 * A reader of JSON bodies up to `limit`. Calls `done(err, body)`, with `req.body` set to that body
 * (so that hooks reading `req.body` see the JSON object, whichever parser read the bytes).
 *
 * Express 4's body-parser sets `req.body = {}` for content types it does not handle without
 * reading the stream, and marks a body it did read with `req._body`; Express 5's leaves
 * `req.body` undefined and reads nothing. So: a stream still unread is parsed here; a body read
 * as text or bytes (text()/raw() with a wide `type`) is parsed from what they kept. A body read
 * by the app's own parsers was held to their limit, not to `limit`.
 *
 * @example
 * const readJson = jsonBodyReader('16kb');
 * readJson(req, res, (err, body) => (err ? fail(err) : login(body)));
 */
export function jsonBodyReader(
  limit: string | number,
): (req: Request, res: Response, done: (err: unknown, body?: unknown) => void) => void {
  const parseJson: RequestHandler = express.json({ limit });
  return (req, res, done) => {
    const parsed = req as ParsedRequest;
    if (!alreadyRead(parsed)) {
      // A `{}` left by Express 4's urlencoded() for another content type would stop nothing: body-parser
      // 1 only skips when `_body` is set, and 2 only when the stream is finished.
      parseJson(req, res, ((err?: unknown) => done(err, req.body)) as NextFunction);
      return;
    }
    const body = parsed.body;
    if (typeof body === 'string' || Buffer.isBuffer(body)) {
      let value: unknown;
      try {
        value = parseText(body.toString());
      } catch (err) {
        done(err);
        return;
      }
      // The request ends at the package's route: the app's text or bytes are not needed after.
      parsed.body = value;
      done(undefined, value);
      return;
    }
    done(undefined, body);
  };
}

function alreadyRead(req: ParsedRequest): boolean {
  return req._body === true || req.readableEnded;
}

function parseText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new WxLoginError('WX_INVALID_REQUEST', 'the request body is not valid JSON');
  }
}
