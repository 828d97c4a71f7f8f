import { matchMaker, ServerError } from '@colyseus/core';
import { MemoryStore, type Options } from 'express-rate-limit';
import { ERRORS, type ErrorCode } from '../../shared/protocol/errors.ts';

/** What one address may do with the matchmaker, and how many classes one process runs. */
export interface MatchmakingLimits {
  /** New lobbies per address per minute. */
  createsPerMinute: number;
  /** Joins and reconnections by code per address per minute (a class behind one school NAT joins at once). */
  joinsPerMinute: number;
  /** Live lobbies in this process. */
  maxLobbies: number;
}

/** The matchmaker's only doors: a host creates, a student joins by code, a seat is taken back. */
const OPEN_METHODS = ['create', 'joinById', 'reconnect'];
const WINDOW_MS = 60_000;

/**
 * Puts Colyseus's HTTP matchmaker behind the class's rules: no `join`/`joinOrCreate` (a
 * class is only ever reached by its code), and counts per address, with express-rate-limit's
 * own store, so one device cannot open hundreds of lobbies or try codes at machine speed.
 * Returns the function that stops its timers.
 */
export function guardMatchmaking(limits: MatchmakingLimits, liveLobbies: () => number): () => void {
  const creates = windowStore();
  const joins = windowStore();
  const controller = matchMaker.controller;
  controller.exposedMethods = [...OPEN_METHODS];
  const invoke = controller.invokeMethod.bind(controller);
  controller.invokeMethod = async (method, roomName, clientOptions, auth) => {
    if (!OPEN_METHODS.includes(method)) throw refuse(403, 'not_allowed');
    const address = auth?.ip ?? 'unknown';
    if (method === 'create') {
      if ((await creates.increment(address)).totalHits > limits.createsPerMinute) throw refuse(429, 'too_many_requests');
      if (liveLobbies() >= limits.maxLobbies) throw refuse(503, 'server_full');
    } else if ((await joins.increment(address)).totalHits > limits.joinsPerMinute) throw refuse(429, 'too_many_requests');
    return invoke(method, roomName, clientOptions, auth);
  };
  return () => {
    creates.shutdown();
    joins.shutdown();
    controller.invokeMethod = invoke;
  };
}

/** A per-key hit counter over a one-minute window. */
function windowStore(): MemoryStore {
  const store = new MemoryStore();
  // The store reads only the window from the middleware's options.
  store.init({ windowMs: WINDOW_MS } as Options);
  return store;
}

/** The matchmaker answers over HTTP, so its refusals carry an HTTP status (the SDK reads it as the error's code). */
function refuse(status: number, code: ErrorCode): ServerError {
  return new ServerError(status, ERRORS[code]);
}
