// The breaker RedisStore puts in front of Redis: once a command times out, calls fail at once
// without being sent, until one probe (PING) is answered. A Redis that stops answering without
// closing the connection (a partition) would otherwise collect every command in the client's queue.

/**
 * Open after a timeout, closed again by the first probe that settles within the timeout. Probes are
 * started by the calls it refuses (so an idle app sends nothing), at most one per `probeEveryMs`.
 *
 * @example
 * const breaker = new CircuitBreaker(() => client.call('PING'), 1000);
 * if (breaker.refuses()) throw unavailable('circuit open');
 * // … on a command timeout:
 * breaker.trip();
 */
export class CircuitBreaker {
  readonly #probe: () => Promise<unknown>;
  readonly #probeEveryMs: number;
  #open = false;
  #probing = false;
  #lastProbeAt = 0;

  constructor(probe: () => Promise<unknown>, probeEveryMs: number) {
    this.#probe = probe;
    this.#probeEveryMs = probeEveryMs;
  }

  /** Whether the breaker is open (calls are refused without being sent). */
  get isOpen(): boolean {
    return this.#open;
  }

  /** Opens the breaker after a timeout, and probes at once. */
  trip(): void {
    if (this.#open) return;
    this.#open = true;
    this.#startProbe();
  }

  /** `true` when the call must be refused; also starts a probe when one is due. */
  refuses(): boolean {
    if (!this.#open) return false;
    if (!this.#probing && Date.now() - this.#lastProbeAt >= this.#probeEveryMs) this.#startProbe();
    return this.#open;
  }

  #startProbe(): void {
    this.#probing = true;
    this.#lastProbeAt = Date.now();
    let settled = false;
    // A probe that never settles (the connection is a black hole) stops counting after the
    // interval, so that the next refused call may send another: a few PINGs per minute at most
    // wait in the client, where every refused command would have.
    const timer = setTimeout(() => {
      settled = true;
      this.#probing = false;
    }, this.#probeEveryMs);
    timer.unref?.();
    let sent: Promise<unknown>;
    try {
      sent = this.#probe();
    } catch {
      sent = Promise.reject(new Error('probe not sent'));
    }
    const done = (answered: boolean): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      this.#probing = false;
      // Any reply, even an error reply, means Redis reads and answers this connection again.
      if (answered) this.#open = false;
    };
    sent.then(
      () => done(true),
      (err: unknown) => done(isReplyError(err)),
    );
  }
}

/** An error Redis itself sent back (as opposed to the client giving up on the connection). */
function isReplyError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  // ioredis: ReplyError; node-redis: ErrorReply (and its subclasses).
  return err.name === 'ReplyError' || err.name === 'ErrorReply' || err.constructor?.name === 'ErrorReply';
}
