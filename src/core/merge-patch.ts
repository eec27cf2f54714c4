// JSON Merge Patch (RFC 7396) for the session's `user`: a patch sets keys, `null` removes one,
// nested objects merge, anything else replaces. What an app knows from PATCH requests.

import { describeUnstorable } from './storable.js';

/**
 * `target` with `patch` applied; neither is changed. A patch that JSON cannot keep (a BigInt, a
 * Date, a cycle) is a TypeError naming where.
 *
 * @example
 * applyMergePatch({ userId: 1, role: 'member', tmp: 1 }, { role: 'admin', tmp: null }); // { userId: 1, role: 'admin' }
 */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  const problem = describeUnstorable(patch, 'patch');
  if (problem) throw new TypeError(`express-wx-login: an update must be plain JSON: ${problem}`);
  return merge(target, patch);
}

function merge(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return patch;
  const result: Record<string, unknown> = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    if (value === null) delete result[key];
    // defineProperty: a key named "__proto__" (JSON allows it) stays a key, never a prototype.
    else
      Object.defineProperty(result, key, {
        value: merge(result[key], value),
        enumerable: true,
        writable: true,
        configurable: true,
      });
  }
  return result;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
