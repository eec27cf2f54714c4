// The Express side's own request context: which wxLogin()s a request passed through (routers and
// sub-apps included), kept beside the request, never on it or on the core objects.

import type { IncomingMessage } from 'node:http';
import type { MountedLogin } from './mounted-login.js';

// A WeakMap, not a property: nothing on the request changes shape, nothing can be serialized or
// rendered by accident, and the entry goes with the request.
const contexts = new WeakMap<IncomingMessage, MountedLogin[]>();
const MOUNT_PATHS_KEPT = 4;
/**
 * Mount paths are set up before requests come, so the first requests show them all; after these,
 * one request in 256 is looked at. Reading `req.app` and `req.baseUrl` is not free: Express gives
 * each request a hidden class of its own (session-guard.ts says more), so each read misses V8's caches.
 */
const MOUNT_NOTE_REQUESTS = 10_000;

/**
 * Records that `req` passed through `login`'s middleware. Several wxLogin()s (two mini programs on
 * one backend) each add themselves once, in the order they were passed.
 *
 * @example
 * enterLogin(req, login);
 */
export function enterLogin(req: IncomingMessage, login: MountedLogin): void {
  noteMount(req as IncomingMessage & { app?: unknown; baseUrl?: unknown }, login);
  const logins = contexts.get(req);
  if (logins === undefined) contexts.set(req, [login]);
  else if (!logins.includes(login)) logins.push(login);
}

/**
 * The wxLogin()s the request passed through so far, in order; empty when none.
 *
 * @example
 * const logins = loginsOf(req); // [miniProgramA, miniProgramB]
 */
export function loginsOf(req: IncomingMessage): readonly MountedLogin[] {
  return contexts.get(req) ?? NONE;
}

const NONE: readonly MountedLogin[] = Object.freeze([]);

/** Remembers where `login`'s middleware met requests, to explain a guard that finds no wxLogin(). */
function noteMount(req: IncomingMessage & { app?: unknown; baseUrl?: unknown }, login: MountedLogin): void {
  const met = login.requestsMet++;
  if (met >= MOUNT_NOTE_REQUESTS && (met & 255) !== 0) return;
  const { app, baseUrl } = req;
  if (typeof app !== 'function' && (typeof app !== 'object' || app === null)) return;
  if (typeof baseUrl !== 'string') return;
  let paths = login.seenAt.get(app);
  if (!paths) {
    paths = new Set();
    login.seenAt.set(app, paths);
  }
  // A few mount paths are enough for a message; `/:tenant` mounts would make many.
  if (paths.size >= MOUNT_PATHS_KEPT || paths.has(baseUrl)) return;
  paths.add(baseUrl);
  if (login.seenPaths.size < MOUNT_PATHS_KEPT) login.seenPaths.add(baseUrl);
}
