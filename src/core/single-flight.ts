// Single flight: concurrent callers asking for the same key share one promise, so a double tap
// on "log in" exchanges its code once and a burst of phone requests fetches one access_token.

/**
 * @example
 * const flights = new SingleFlight<string, Session>();
 * const session = await flights.run(code, () => exchange(code)); // a 2nd concurrent call joins the 1st
 */
export class SingleFlight<K, V> {
  readonly #inFlight = new Map<K, Promise<V>>();

  run(key: K, task: () => Promise<V>): Promise<V> {
    const existing = this.#inFlight.get(key);
    if (existing) return existing;
    const promise = (async () => {
      try {
        return await task();
      } finally {
        this.#inFlight.delete(key);
      }
    })();
    this.#inFlight.set(key, promise);
    return promise;
  }
}
