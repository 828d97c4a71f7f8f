import type { Phase, QuestionPayload, RevealPayload } from '../../shared/game/engine.ts';
import type { GameSettings } from '../../shared/game/settings.ts';
import type { ErrorMessage } from '../../shared/protocol/errors.ts';
import type { Countdown } from './countdown.ts';

/**
 * What every game screen sees, whether the game runs on the class server or in this
 * browser (solo). Scenes and panels only talk to this interface.
 */
export interface PlayerView {
  id: string;
  nickname: string;
  score: number;
  lastPoints: number;
  rank: number;
  connected: boolean;
  answered: boolean;
}

export interface Snapshot {
  code: string;
  phase: Phase;
  paused: boolean;
  locked: boolean;
  hostConnected: boolean;
  /** 0-based; -1 before the first round. */
  round: number;
  totalRounds: number;
  roundType: string;
  secondsLeft: number;
  answeredCount: number;
  maxPlayers: number;
  settings: GameSettings;
  /** In join order. */
  players: PlayerView[];
}

/** A question as received; binary fields are already Uint8Array. */
export type QuestionMessage = QuestionPayload & { remainingMs: number };
export type RevealMessage = RevealPayload & { yourPoints?: number };

export type ConnectionStatus = 'connected' | 'reconnecting' | 'closed';

export interface SessionEvents {
  state: Snapshot;
  question: QuestionMessage;
  answered: { round: number };
  reveal: RevealMessage;
  error: ErrorMessage;
  kicked: { message: string };
  connection: { status: ConnectionStatus; message?: string };
}

export interface HostControls {
  settings(settings: GameSettings): void;
  lock(locked: boolean): void;
  kick(playerId: string): void;
  rename(playerId: string, nickname: string): void;
  start(): void;
  pause(paused: boolean): void;
  skip(): void;
  end(): void;
}

export type SessionRole = 'host' | 'player' | 'solo';

export interface GameSession {
  readonly mode: 'network' | 'solo';
  /** 'solo' both plays and hosts. */
  readonly role: SessionRole;
  readonly code: string;
  /** This device's player id; null on the host screen. */
  readonly playerId: string | null;
  /** Present for the host and in solo. */
  readonly host: HostControls | null;
  /** Time left in the current phase, for smooth timers. */
  readonly countdown: Countdown;
  snapshot(): Snapshot;
  /** The open question of the current round, if any. */
  currentQuestion(): QuestionMessage | null;
  /** The reveal of the current round once it is out. */
  currentReveal(): RevealMessage | null;
  /** Whether this device's player has an answer in for the current round. */
  hasAnswered(): boolean;
  answer(round: number, answer: unknown): void;
  on<K extends keyof SessionEvents>(type: K, listener: (payload: SessionEvents[K]) => void): () => void;
  leave(): Promise<void>;
}

export function emptySnapshot(code: string, settings: GameSettings): Snapshot {
  return {
    code,
    phase: 'lobby',
    paused: false,
    locked: false,
    hostConnected: false,
    round: -1,
    totalRounds: 0,
    roundType: '',
    secondsLeft: 0,
    answeredCount: 0,
    maxPlayers: 0,
    settings,
    players: [],
  };
}

/** Points this player got in a reveal: from the payload's guesses when the server does not say. */
export function pointsFor(reveal: RevealMessage, playerId: string | null): number | null {
  if (typeof reveal.yourPoints === 'number') return reveal.yourPoints;
  const guesses = (reveal.reveal as { guesses?: { playerId: string; points: number }[] }).guesses;
  const mine = guesses?.find((g) => g.playerId === playerId);
  return mine ? mine.points : null;
}
