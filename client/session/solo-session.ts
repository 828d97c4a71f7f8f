import { GameEngine, LEADERBOARD_MS, REVEAL_MS, type Phase } from '../../shared/game/engine.ts';
import { DEFAULT_SETTINGS, type GameSettings } from '../../shared/game/settings.ts';
import { GameError } from '../../shared/protocol/errors.ts';
import { Countdown } from './countdown.ts';
import { Emitter } from './emitter.ts';
import {
  emptySnapshot,
  type GameSession,
  type HostControls,
  type PlayerView,
  type QuestionMessage,
  type RevealMessage,
  type SessionEvents,
  type Snapshot,
} from './game-session.ts';

const TICK_MS = 200;
const SOLO_PLAYER_ID = 'solo';

/**
 * Solo practice: the same GameEngine and round rules as the class server, run in this
 * browser with local timers and no connection. The phase flow mirrors the server room
 * (question → reveal → leaderboard → next question or podium), with the same durations.
 */
export class SoloSession implements GameSession {
  readonly mode = 'solo' as const;
  readonly role = 'solo' as const;
  readonly code = 'SOLO';
  readonly playerId = SOLO_PLAYER_ID;
  readonly host: HostControls;
  readonly countdown = new Countdown();

  private readonly engine: GameEngine;
  private readonly events = new Emitter<SessionEvents>();
  private snap: Snapshot;
  private question: QuestionMessage | null = null;
  private reveal: RevealMessage | null = null;
  private ticker: number | null = null;

  constructor(nickname = 'You', settings: GameSettings = DEFAULT_SETTINGS, seed = randomSeed()) {
    this.engine = new GameEngine(settings, seed);
    this.engine.addPlayer(SOLO_PLAYER_ID, nickname);
    this.snap = { ...emptySnapshot(this.code, settings), hostConnected: true, maxPlayers: 1, totalRounds: this.engine.totalRounds };
    this.snap.players = this.playerViews();
    this.host = {
      settings: (s) => this.guard(() => {
        this.engine.configure(s);
        this.patch({ settings: s, totalRounds: this.engine.totalRounds });
      }),
      lock: () => undefined,
      kick: () => this.fail(new GameError('wrong_phase', 'There is nobody to remove in solo practice.')),
      rename: (_id, nickname) => this.guard(() => {
        const player = this.engine.players.get(SOLO_PLAYER_ID);
        if (player) player.nickname = nickname;
        this.patch({});
      }),
      start: () => this.guard(() => {
        if (this.snap.phase !== 'lobby') throw new GameError('wrong_phase');
        this.startRound();
      }),
      pause: (paused) => this.guard(() => {
        if (this.snap.phase === 'lobby' || this.snap.phase === 'podium') throw new GameError('wrong_phase');
        if (paused) this.countdown.pause();
        else this.countdown.resume();
        this.patch({ paused });
      }),
      skip: () => this.guard(() => {
        if (this.snap.phase === 'lobby' || this.snap.phase === 'podium') throw new GameError('wrong_phase');
        this.advance();
      }),
      end: () => this.guard(() => this.endGame()),
    };
  }

  snapshot(): Snapshot {
    return this.snap;
  }

  currentQuestion(): QuestionMessage | null {
    return this.question && this.question.round === this.snap.round ? this.question : null;
  }

  currentReveal(): RevealMessage | null {
    return this.reveal && this.reveal.round === this.snap.round ? this.reveal : null;
  }

  hasAnswered(): boolean {
    return this.engine.current?.answers.has(SOLO_PLAYER_ID) ?? false;
  }

  answer(round: number, answer: unknown): void {
    this.guard(() => {
      if (this.snap.paused && this.snap.phase === 'question') throw new GameError('paused');
      const elapsed = this.countdown.durationMs - this.countdown.remainingMs();
      this.engine.submitAnswer(SOLO_PLAYER_ID, round, answer, elapsed);
      this.patch({ answeredCount: 1 });
      this.events.emit('answered', { round });
      if (this.engine.allAnswered()) this.advance();
    });
  }

  on<K extends keyof SessionEvents>(type: K, listener: (payload: SessionEvents[K]) => void): () => void {
    return this.events.on(type, listener);
  }

  async leave(): Promise<void> {
    this.stopTicker();
    this.events.clear();
  }

  private guard(action: () => void): void {
    try {
      action();
    } catch (error) {
      this.fail(error);
    }
  }

  private fail(error: unknown): void {
    if (error instanceof GameError) this.events.emit('error', { code: error.code, message: error.message });
    else {
      console.error(error);
      this.events.emit('error', { code: 'bad_message', message: 'Something went wrong in solo mode.' });
    }
  }

  private tick(): void {
    const phase = this.snap.phase;
    if (phase === 'lobby' || phase === 'podium' || this.snap.paused) return;
    const seconds = Math.ceil(this.countdown.remainingMs() / 1000);
    if (seconds !== this.snap.secondsLeft) this.patch({ secondsLeft: seconds });
    if (this.countdown.remainingMs() <= 0) this.advance();
  }

  private advance(): void {
    switch (this.snap.phase) {
      case 'question': {
        const { payload } = this.engine.reveal();
        this.reveal = payload;
        this.enterPhase('reveal', REVEAL_MS);
        this.events.emit('reveal', payload);
        return;
      }
      case 'reveal':
        this.engine.showLeaderboard();
        return this.enterPhase('leaderboard', LEADERBOARD_MS);
      case 'leaderboard':
        if (this.engine.hasNextRound()) return this.startRound();
        return this.endGame();
      default:
        return;
    }
  }

  private startRound(): void {
    const payload = this.engine.startRound();
    this.question = { ...payload, remainingMs: payload.durationMs };
    this.reveal = null;
    this.snap = { ...this.snap, round: payload.round, roundType: payload.type, answeredCount: 0 };
    this.enterPhase('question', payload.durationMs);
    this.events.emit('question', this.question);
  }

  private endGame(): void {
    if (this.snap.phase === 'podium') throw new GameError('game_over');
    if (this.snap.phase === 'question') this.reveal = this.engine.reveal().payload;
    this.engine.finish();
    this.stopTicker();
    this.countdown.set(0, 0, false);
    this.patch({ phase: 'podium', paused: false, secondsLeft: 0 });
  }

  private enterPhase(phase: Phase, durationMs: number): void {
    this.countdown.set(durationMs, durationMs, this.snap.paused);
    this.ticker ??= window.setInterval(() => this.tick(), TICK_MS);
    this.patch({ phase, secondsLeft: Math.ceil(durationMs / 1000) });
  }

  private stopTicker(): void {
    if (this.ticker !== null) window.clearInterval(this.ticker);
    this.ticker = null;
  }

  private playerViews(): PlayerView[] {
    const round = this.engine.current;
    return this.engine.standings().map((s) => ({
      ...s,
      connected: true,
      answered: round !== null && this.snap?.phase === 'question' && round.answers.has(s.id),
    }));
  }

  private patch(changes: Partial<Snapshot>): void {
    this.snap = { ...this.snap, ...changes };
    this.snap.players = this.playerViews();
    this.events.emit('state', this.snap);
  }
}

function randomSeed(): number {
  const buffer = new Uint32Array(1);
  crypto.getRandomValues(buffer);
  return buffer[0]!;
}
