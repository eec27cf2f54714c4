// One HTTP request through the emulator: read it, log it, play the next matching fault if any,
// else let the endpoint answer; nothing is done for a caller that has already gone.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CallLog } from './call-log.js';
import type { EndpointContext } from './endpoint.js';
import { type FaultQueue, faultReply } from './faults.js';
import { type Reply, text } from './replies.js';
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
  return (req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => {
      if (size > MAX_BODY_BYTES) return send(res, text(413, 'request entity too large'));
      handle(req, res, Buffer.concat(chunks).toString('utf8'), ctx, faults, log);
    });
  };
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
    send(res, reply);
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

function send(res: ServerResponse, reply: Reply): void {
  if (res.destroyed) return;
  res.writeHead(reply.status, {
    ...reply.headers,
    'Content-Type': reply.contentType,
    'Content-Length': Buffer.byteLength(reply.body),
  });
  res.end(reply.body);
}

function parseBody(rawBody: string): unknown {
  if (rawBody === '') return undefined;
  try {
    return JSON.parse(rawBody);
  } catch {
    return rawBody;
  }
}
