// The queue of faults a test injected, consumed in order by the calls they match, and what each
// fault sends on the wire in place of WeChat's answer.

import { htmlPage, type Reply, truncatedJson, wxError } from './replies.js';
import { ROUTES } from './routes.js';
import type { EmulatorEndpoint, EmulatorFault } from './types.js';

/** The endpoints the emulator serves, for checking what a test passes to `fail()`. */
const ENDPOINTS: ReadonlySet<string> = new Set([...ROUTES.values()].map((route) => route.endpoint));

interface QueuedFault {
  endpoint: EmulatorEndpoint | '*';
  fault: EmulatorFault;
  left: number;
}

/**
 * Faults waiting for calls. Each call takes the first queued fault whose endpoint matches it.
 *
 * @example
 * const faults = new FaultQueue();
 * faults.add('token', { type: 'hang' }, 1);
 * faults.take('token'); // { type: 'hang' }
 */
export class FaultQueue {
  #queue: QueuedFault[] = [];

  add(endpoint: EmulatorEndpoint | '*', fault: EmulatorFault, times = 1): void {
    if (endpoint !== '*' && !ENDPOINTS.has(endpoint)) {
      throw new TypeError(`WeChat emulator: unknown endpoint ${JSON.stringify(endpoint)}`);
    }
    if (!Number.isInteger(times) || times < 1) {
      throw new TypeError('WeChat emulator: times must be a positive integer');
    }
    assertFault(fault);
    this.#queue.push({ endpoint, fault: { ...fault }, left: times });
  }

  take(endpoint: EmulatorEndpoint): EmulatorFault | undefined {
    const index = this.#queue.findIndex((q) => q.endpoint === '*' || q.endpoint === endpoint);
    if (index < 0) return undefined;
    const queued = this.#queue[index]!;
    if (--queued.left === 0) this.#queue.splice(index, 1);
    return queued.fault;
  }

  clear(): void {
    this.#queue = [];
  }
}

/** The faults that send an answer of their own. */
export type AnsweringFault = Exclude<EmulatorFault, { type: 'delay' | 'hang' | 'reset' }>;

/**
 * The answer a fault sends instead of WeChat's.
 *
 * @example
 * faultReply({ type: 'http', status: 503 }, 'token'); // an HTML 503 page
 */
export function faultReply(fault: AnsweringFault, endpoint: EmulatorEndpoint): Reply {
  switch (fault.type) {
    case 'errcode':
      return wxError(fault.errcode, fault.errmsg, fault.errcodeAsString);
    case 'http':
      return fault.body === undefined
        ? htmlPage(fault.status)
        : { status: fault.status, contentType: 'text/plain; charset=utf-8', body: fault.body };
    case 'garbage':
      return htmlPage(200);
    case 'truncated':
      return truncatedJson(TRUNCATED[endpoint]);
  }
}

// The first bytes of a real answer of each endpoint: a reply cut by a broken connection or proxy.
const TRUNCATED: Readonly<Record<EmulatorEndpoint, string>> = {
  jscode2session: '{"session_key":"tiihtNczf5v6AK',
  token: '{"access_token":"86_Rnbl',
  stable_token: '{"access_token":"86_Rnbl',
  getuserphonenumber: '{"errcode":0,"errmsg":"ok","phone_info":{"phoneNum',
  checksession: '{"errcode":0,"errm',
  resetusersessionkey: '{"errcode":0,"errmsg":"ok","openid":"o',
  oauth2_authorize: '<!DOCTYPE html><html><head><title>',
  qrconnect: '<!DOCTYPE html><html><head><title>',
  oauth_confirm: '<!DOCTYPE html><html><head><title>',
  oauth2_access_token: '{"access_token":"86_Rnbl',
  oauth2_refresh_token: '{"access_token":"86_Rnbl',
  userinfo: '{"openid":"o',
  sns_auth: '{"errcode":0,"errm',
};

function assertFault(fault: EmulatorFault): void {
  const bad = (why: string) => new TypeError(`WeChat emulator: fault ${why}`);
  if (typeof fault !== 'object' || fault === null) throw bad('must be an object');
  switch (fault.type) {
    case 'errcode':
      if (!Number.isInteger(fault.errcode)) throw bad('errcode must be an integer');
      return;
    case 'delay':
      if (!Number.isFinite(fault.ms) || fault.ms < 0) throw bad('ms must be a number >= 0');
      return;
    case 'http':
      if (!Number.isInteger(fault.status) || fault.status < 100 || fault.status > 599) {
        throw bad('status must be an HTTP status');
      }
      return;
    case 'garbage':
    case 'truncated':
    case 'hang':
    case 'reset':
      return;
    default:
      throw bad(`type ${JSON.stringify((fault as { type: unknown }).type)} is unknown`);
  }
}
