// Whether a value survives JSON.stringify/JSON.parse unchanged, and if not, where and why: what
// an app's hook returns is kept in the store as JSON, and must come back as it went in.

/**
 * `undefined` when `value` is plain JSON; else a description such as `"a BigInt at result.id"`.
 *
 * @example
 * describeUnstorable({ id: 1n }, 'result'); // 'a BigInt at result.id'
 * describeUnstorable({ id: 1 }, 'result');  // undefined
 */
export function describeUnstorable(
  value: unknown,
  path: string,
  seen: Set<object> = new Set(),
): string | undefined {
  switch (typeof value) {
    case 'string':
    case 'boolean':
    case 'undefined':
      return undefined;
    case 'number':
      return Number.isFinite(value) ? undefined : `a non-finite number (${value}) at ${path}`;
    case 'bigint':
      return `a BigInt at ${path} (convert it, e.g. String(id) or Number(id))`;
    case 'function':
    case 'symbol':
      return `a ${typeof value} at ${path}`;
  }
  if (value === null) return undefined;
  const object = value as object;
  if (seen.has(object)) return `a cycle at ${path}`;
  seen.add(object);
  try {
    if (Array.isArray(object)) {
      for (let i = 0; i < object.length; i++) {
        if (object[i] === undefined) return `undefined at ${path}[${i}] (JSON turns it into null)`;
        const problem = describeUnstorable(object[i], `${path}[${i}]`, seen);
        if (problem) return problem;
      }
      return undefined;
    }
    const proto = Object.getPrototypeOf(object);
    if (proto !== Object.prototype && proto !== null) {
      const name = (proto as { constructor?: { name?: string } }).constructor?.name || 'object';
      return `a ${name} at ${path} (only plain objects are kept; convert it, e.g. date.toISOString())`;
    }
    for (const [key, entry] of Object.entries(object)) {
      const problem = describeUnstorable(entry, `${path}.${key}`, seen);
      if (problem) return problem;
    }
    return undefined;
  } finally {
    seen.delete(object);
  }
}
