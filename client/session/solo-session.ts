import { GameEngine, LEADERBOARD_MS, REVEAL_MS, type Phase } from '../../shared/game/engine.ts';
import { DEFAULT_SETTINGS, type GameSettings } from '../../shared/game/settings.ts';
import { GameError } from '../../shared/protocol/errors.ts';
import type { FakeRenderer, NeuralOpponents } from '../../shared/render/recipes.ts';
import { getModelService } from '../ml/model-service.ts';
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
/** The reveal waits at most this long for the neural opponents (as the server room does). */
const NEURAL_WAIT_MS = 4_000;

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
  /** Rounds with fakes: the models of this browser render them and answer as neural opponents. */
  private readonly models: () => FakeRenderer & NeuralOpponents;
  private neural: Promise<void> | null = null;
  private preparing = 0;
  private revealing = false;

  constructor(nickname = 'You', settings: GameSettings = DEFAULT_SETTINGS, seed = randomSeed(), models?: FakeRenderer & NeuralOpponents) {
    let local = models ?? null;
    this.models = () => (local ??= getModelService().asGameModels());
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
      const elapsed = this.countdown.elapsedMs();
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
    if (this.countdown.expired()) this.advance();
  }

  private advance(): void {
    switch (this.snap.phase) {
      case 'question':
        return void this.revealRound();
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

  /** Reveals once the neural opponents have answered (or after NEURAL_WAIT_MS). */
  private async revealRound(): Promise<void> {
    if (this.revealing) return;
    this.revealing = true;
    try {
      if (this.neural) {
        await Promise.race([this.neural, new Promise((resolve) => window.setTimeout(resolve, NEURAL_WAIT_MS))]);
        this.neural = null;
      }
      // Rated rounds (the lab's 'sample'): with no class to rate, the neural judge does.
      if (this.snap.phase === 'question' && this.engine.isRated()) {
        const judging = this.engine.judgeRatings(this.models()).catch((error: unknown) => console.warn('The neural judge could not rate', error));
        await Promise.race([judging, new Promise((resolve) => window.setTimeout(resolve, 3 * NEURAL_WAIT_MS))]);
      }
      if (this.snap.phase !== 'question') return;
      const { payload } = this.engine.reveal();
      this.reveal = payload;
      this.enterPhase('reveal', REVEAL_MS);
      this.events.emit('reveal', payload);
    } catch (error) {
      this.fail(error);
    } finally {
      this.revealing = false;
    }
  }

  /** Rounds with fakes first have this browser's models render them (phase 'preparing'), as the server's render worker would. */
  private startRound(): void {
    const next = this.engine.nextRenderJobs();
    if (!next.jobs.length) return this.openRound([]);
    const token = ++this.preparing;
    this.countdown.set(0, 0, false);
    this.patch({ phase: 'preparing' as Phase, secondsLeft: 0 });
    this.models()
      .render(next.jobs)
      .then(
        (renders) => {
          if (token !== this.preparing || (this.snap.phase as string) !== 'preparing') return;
          this.openRound(renders);
          this.neural = this.engine.askNeuralOpponents(this.models()).catch((error: unknown) => console.warn('The neural opponents could not answer', error));
        },
        (error: unknown) => {
          if (token !== this.preparing || (this.snap.phase as string) !== 'preparing') return;
          const reason = error instanceof Error ? error.message : String(error);
          this.events.emit('error', { code: 'bad_message', message: `The models could not make this round’s images (${reason}).` });
          this.endGame();
        },
      );
  }

  private openRound(renders: Uint8Array[]): void {
    const payload = this.engine.startRound(renders);
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
    this.countdown.start(durationMs, this.snap.paused);
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
