import { Match, type MatchEvents, type MatchPorts, type MatchStatus } from '../../shared/game/match.ts';
import { DEFAULT_SETTINGS, type GameSettings } from '../../shared/game/settings.ts';
import { GameError } from '../../shared/protocol/errors.ts';
import type { FakeRenderer, NeuralOpponents } from '../../shared/render/recipes.ts';
import { getModelService } from '../ml/model-service.ts';
import { emptySnapshot, type GameSession, type HostControls, type PlayerView, type Snapshot } from './game-session.ts';
import { SessionBase } from './session-base.ts';
import { seededSource } from '../../shared/random.ts';

const SOLO_PLAYER_ID = 'solo';

/**
 * Solo practice: the class server's Match (shared/game/match.ts) run in this browser, with
 * window timers for its clock, this browser's models making the fakes and answering as
 * opponents, and the neural judge rating samples as there is no class to rate them.
 */
export class SoloSession extends SessionBase implements GameSession {
  readonly mode = 'solo' as const;
  readonly role = 'solo' as const;
  readonly code = 'SOLO';
  readonly playerId = SOLO_PLAYER_ID;
  readonly host: HostControls;
  readonly device = null;

  private readonly match: Match;
  private snap: Snapshot;
  private readonly models: () => FakeRenderer & NeuralOpponents;
  /** The answer being submitted: the match's 'answered' event makes it this device's answer. */
  private answering: unknown;

  constructor(nickname = 'You', settings: GameSettings = DEFAULT_SETTINGS, seed = randomSeed(), models?: FakeRenderer & NeuralOpponents) {
    super();
    let local = models ?? null;
    this.models = () => (local ??= getModelService().asGameModels());
    this.match = new Match(settings, seededSource(seed), this.ports(), { neuralJudge: true });
    this.snap = { ...emptySnapshot(this.code, settings), hostConnected: true, maxPlayers: 1, totalRounds: this.match.status.totalRounds };
    this.match.addPlayer(SOLO_PLAYER_ID, nickname);
    this.snap.players = this.playerViews();
    this.host = {
      settings: (s) => this.guard(() => this.match.configure(s)),
      lock: () => undefined,
      kick: () => this.fail(new GameError('wrong_phase', 'There is nobody to remove in solo practice.')),
      readmit: () => this.fail(new GameError('wrong_phase', 'There is nobody to let back in in solo practice.')),
      removed: () => [],
      rename: (_id, name) =>
        this.guard(() => {
          this.match.rename(SOLO_PLAYER_ID, name);
          this.patch({});
        }),
      start: () => this.guard(() => this.match.start()),
      pause: (paused) => this.guard(() => this.match.pause(paused)),
      skip: () => this.guard(() => this.match.skip()),
      end: () => this.guard(() => this.match.end()),
    };
  }

  snapshot(): Snapshot {
    return this.snap;
  }

  hasAnswered(): boolean {
    return this.match.hasAnswered(SOLO_PLAYER_ID);
  }

  answer(round: number, answer: unknown): void {
    this.guard(() => {
      this.answering = answer;
      try {
        this.match.answer(SOLO_PLAYER_ID, round, answer);
      } finally {
        this.answering = undefined;
      }
    });
  }

  rate(): void {
    this.fail(new GameError('wrong_phase', 'In solo practice the neural judge rates the samples.'));
  }

  starsGiven(): undefined {
    return undefined;
  }

  async leave(): Promise<void> {
    this.events.clear();
    // Stops the match's clock; solo stores nothing, so ending is all there is to it.
    if (this.match.phase !== 'podium' && this.match.phase !== 'lobby') this.match.end();
  }

  private ports(): MatchPorts {
    return {
      clock: {
        now: () => performance.now(),
        after: (ms, callback) => {
          const timer = window.setTimeout(callback, ms);
          return () => window.clearTimeout(timer);
        },
        every: (ms, callback) => {
          const timer = window.setInterval(callback, ms);
          return () => window.clearInterval(timer);
        },
      },
      // This browser is its own render worker: nobody sits images out, nobody plays G.
      makeFakes: async (order) => ({ renders: await this.models().render(order.jobs), renderedBy: null, generators: new Map() }),
      hurryFakes: () => undefined,
      opponents: () => this.models(),
      store: { recordResults: () => undefined, updateResults: () => undefined, updateSettings: () => undefined, endGame: () => undefined },
      emit: (type, payload) => this.onMatchEvent(type, payload),
      warn: (message, error) => console.warn(`Solo practice: ${message}`, error),
    };
  }

  private onMatchEvent<K extends keyof MatchEvents>(type: K, payload: MatchEvents[K]): void {
    const event = { type, payload } as { [T in keyof MatchEvents]: { type: T; payload: MatchEvents[T] } }[keyof MatchEvents];
    switch (event.type) {
      case 'status':
        return this.showStatus(event.payload);
      case 'question': {
        const question = this.match.questionFor(SOLO_PLAYER_ID);
        if (!question) return;
        this.memory.setQuestion(question);
        this.events.emit('question', question);
        return;
      }
      case 'answered':
        this.memory.setAnswer(event.payload.round, this.answering);
        return this.events.emit('answered', { round: event.payload.round });
      case 'reveal':
        this.memory.setReveal(event.payload);
        return this.events.emit('reveal', event.payload);
      case 'ratings':
        this.memory.setRatings(event.payload);
        return this.events.emit('ratings', event.payload);
      case 'scores':
        return this.patch({});
      case 'failed':
        return this.events.emit('error', { code: 'render_failed', message: `The models could not make this round’s images (${event.payload.reason}).` });
    }
  }

  private showStatus(status: MatchStatus): void {
    const { phase, paused, round, totalRounds, roundType, phaseMs, secondsLeft, answeredCount, answering, settings } = status;
    if (phase !== this.snap.phase || round !== this.snap.round || phaseMs !== this.snap.phaseMs || paused !== this.snap.paused) {
      this.countdown.set(this.match.remainingMs(), phaseMs, paused);
    }
    this.patch({ phase, paused, round, totalRounds, roundType, phaseMs, secondsLeft, answeredCount, answering, settings });
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

  private playerViews(): PlayerView[] {
    return this.match.standings().map((s) => ({ ...s, connected: true, answered: this.match.hasAnswered(s.id) }));
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
