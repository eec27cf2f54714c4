// The record of every call the emulator received and what it answered, so that tests can assert
// what the package sent to WeChat and how often.

import type { EmulatorCall, EmulatorEndpoint } from './types.js';

/**
 * Calls in the order they arrived. Entries are filled in as the answer goes out; readers get copies.
 *
 * @example
 * const log = new CallLog();
 * const call = log.start({ endpoint: 'token', method: 'GET', path: '/cgi-bin/token', query: {}, body: undefined, at: 0 });
 * call.status = 200;
 */
export class CallLog {
  #calls: EmulatorCall[] = [];

  start(call: Omit<EmulatorCall, 'status'>): EmulatorCall {
    const entry: EmulatorCall = { ...call, status: 0 };
    this.#calls.push(entry);
    return entry;
  }

  all(): EmulatorCall[] {
    return this.#calls.map(copy);
  }

  to(endpoint: EmulatorEndpoint): EmulatorCall[] {
    return this.#calls.filter((c) => c.endpoint === endpoint).map(copy);
  }

  reset(): void {
    this.#calls = [];
  }
}

function copy(call: EmulatorCall): EmulatorCall {
  return { ...call, query: { ...call.query } };
}
