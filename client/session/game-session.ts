import type { Phase, QuestionPayload, RatingsPayload, RevealPayload } from '../../shared/game/engine.ts';
import type { GameSettings } from '../../shared/game/settings.ts';
import type { ErrorMessage } from '../../shared/protocol/errors.ts';
import type { ClientMessage, ClientMessageType, ServerMessages, ServerMessageType } from '../../shared/protocol/messages.ts';
import type { AnswerOf, RoundType } from '../../shared/rounds/registry.ts';
import type { AdversaryRound } from '../../shared/rounds/adversary.ts';
import type { GanDevice } from '../rounds/gan-device.ts';
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
  /** How long the current phase lasts in all, as the match says (0 without a clock). */
  phaseMs: number;
  secondsLeft: number;
  answeredCount: number;
  /** Players who answer this round (generator players pick fakes instead). */
  answering: number;
  maxPlayers: number;
  settings: GameSettings;
  /** In join order. */
  players: PlayerView[];
}

/** The minimax game round by round (adversarial Spot the fake), and its equilibrium −log 4. */
export interface MinimaxSeries {
  history: AdversaryRound[];
  equilibrium: number;
  /** how many answered as D (the chart's legend says "you" for one) */
  players: number;
}

/** A question as received; binary fields are already Uint8Array. */
export type QuestionMessage<T extends RoundType = RoundType> = QuestionPayload<T> & { remainingMs: number };
export type RevealMessage<T extends RoundType = RoundType> = RevealPayload<T>;

/** The class room's messages, typed both ways (shared/protocol/messages.ts). */
export interface SessionChannel {
  send<K extends ClientMessageType>(type: K, payload: ClientMessage<K>): void;
  /** Returns the unsubscribe function. */
  onMessage<K extends ServerMessageType>(type: K, callback: (payload: ServerMessages[K]) => void): () => void;
}

type ConnectionStatus = 'connected' | 'reconnecting' | 'closed';

export interface SessionEvents {
  state: Snapshot;
  question: QuestionMessage;
  answered: { round: number };
  reveal: RevealMessage;
  /** Rated rounds: the tallies while the reveal is open, and once more when they close. */
  ratings: RatingsPayload;
  error: ErrorMessage;
  kicked: { message: string };
  /** Host screens: the students removed from the class, who stay out until readmitted. */
  removed: { nicknames: string[] };
  /** A (re)joined device got back the adversarial series it had seen before (for the final screen). */
  series: MinimaxSeries;
  connection: { status: ConnectionStatus; message?: string };
}

export interface HostControls {
  settings(settings: GameSettings): void;
  lock(locked: boolean): void;
  kick(playerId: string): void;
  /** Lets a removed student join again. */
  readmit(nickname: string): void;
  /** The students removed so far (the server's list, as last received). */
  removed(): string[];
  rename(playerId: string, nickname: string): void;
  start(): void;
  pause(paused: boolean): void;
  skip(): void;
  end(): void;
}

type SessionRole = 'host' | 'player' | 'solo';

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
  /** The ratings of the current round (rated rounds, from the reveal on). */
  currentRatings(): RatingsPayload | null;
  /** The latest adversarial Spot-the-fake series this device saw, for the final screen. */
  minimaxSeries(): MinimaxSeries | null;
  /** Whether this device's player has an answer in for the current round. */
  hasAnswered(): boolean;
  answer(round: number, answer: unknown): void;
  /** What this device answered in the current round, if it did and the round is of `type`. */
  myAnswer<T extends RoundType>(type: T): AnswerOf<T> | null;
  /** This device's player's points in the current round, once revealed (null before, and on the host screen). */
  myPoints(): number | null;
  /** Stars for another player's sample (rated rounds, during the reveal). */
  rate(round: number, playerId: string, stars: number): void;
  /** The stars this device gave `playerId` in the current round. */
  starsGiven(playerId: string): number | undefined;
  /** The GAN rounds' services on this device (render worker, generator turns); null in solo. */
  readonly device: GanDevice | null;
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
    phaseMs: 0,
    secondsLeft: 0,
    answeredCount: 0,
    answering: 0,
    maxPlayers: 0,
    settings,
    players: [],
  };
}
