import type { FakeRenderer, NeuralOpponents } from '../../shared/render/recipes.ts';
import type { Logger } from '../logger.ts';
import type { ResultsStore } from '../store/results-store.ts';

/** What rooms need from the process: set once at start-up, before any room exists. */
export interface RoomContext {
  store: ResultsStore;
  maxPlayers: number;
  log: Logger;
  /** The server's own models (TF.js WASM in Node): renders fakes no device delivered, and plays the neural opponents. */
  models: FakeRenderer & NeuralOpponents;
  renderDeadlineMs: number;
  /** How long generator players have to pick their fakes. */
  generatorPickMs: number;
  /** How long a dropped student's seat waits for them. */
  reconnectSeconds: number;
  /** How long a device dropped for flooding waits before it may reconnect. */
  floodCooldownMs: number;
}

let current: RoomContext | null = null;

export function setRoomContext(context: RoomContext | null): void {
  current = context;
}

export function roomContext(): RoomContext {
  if (!current) throw new Error('Room context used before the server was started');
  return current;
}
