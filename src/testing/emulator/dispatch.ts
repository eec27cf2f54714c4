// One HTTP request through the emulator: read it, log it, play the next matching fault if any,
// else let the endpoint answer; nothing is done for a caller that has already gone.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CallLog } from './call-log.js';
import type { EndpointContext } from './endpoint.js';
import { type FaultQueue, faultReply } from './faults.js';
import { type Reply, sendReply, text } from './replies.js';
import { readBody } from './request-body.js';
import { ROUTES } from './routes.js';

// WeChat's bodies are small; a test that sends more is sending something wrong.
const MAX_BODY_BYTES = 1024 * 1024;

/**
 * Builds the request listener of the emulator's HTTP server.
 *
 * @example
 * const server = createServer(createDispatcher(ctx, faults, log));
 */
export function createDispatcher(
  ctx: EndpointContext,
  faults: FaultQueue,
  log: CallLog,
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) =>
    readBody(req, MAX_BODY_BYTES, (rawBody) => {
      if (rawBody === undefined) sendReply(res, text(413, 'request entity too large'));
      else handle(req, res, rawBody, ctx, faults, log);
    });
}

function handle(
  req: IncomingMessage,
  res: ServerResponse,
  rawBody: string,
  ctx: EndpointContext,
  faults: FaultQueue,
  log: CallLog,
): void {
  const url = new URL(req.url ?? '/', 'http://emulator');
  const route = ROUTES.get(url.pathname);
  const method = req.method ?? 'GET';
  const call = log.start({
    endpoint: route?.endpoint ?? 'unknown',
    method,
    path: url.pathname,
    query: Object.fromEntries(url.searchParams),
    body: parseBody(rawBody),
    at: ctx.state.now(),
  });
  const answer = (reply: Reply) => {
    call.status = reply.status;
    if (reply.errcode !== undefined) call.errcode = reply.errcode;
    sendReply(res, reply);
  };
  if (!route) {
    answer(text(404, 'not found'));
    return;
  }

  const raw = req.url ?? '';
  const rawQuery = raw.includes('?') ? raw.slice(raw.indexOf('?') + 1) : '';
  const request = { method, query: call.query, rawQuery, rawBody };
  const fault = faults.take(route.endpoint);
  if (!fault) {
    answer(route.handler(request, ctx));
    return;
  }
  call.fault = fault.type;
  if (fault.type === 'hang') return; // close() ends it
  if (fault.type === 'reset') {
    req.socket.resetAndDestroy();
    return;
  }
  if (fault.type === 'delay') {
    // WeChat does the work when the request arrives; only the answer is slow. A caller that gives
    // up meanwhile loses the answer, not the effect: its code is used up, as in production.
    const reply = route.handler(request, ctx);
    const timer = setTimeout(() => answer(reply), fault.ms);
    res.on('close', () => clearTimeout(timer));
    return;
  }
  answer(faultReply(fault, route.endpoint));
}

function parseBody(rawBody: string): unknown {
  if (rawBody === '') return undefined;
  try {
    return JSON.parse(rawBody);
  } catch {
    return rawBody;
  }
}
