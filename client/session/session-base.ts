import type { RatingsPayload } from '../../shared/game/engine.ts';
import type { AnswerOf, RoundType } from '../../shared/rounds/registry.ts';
import { EQUILIBRIUM_VALUE, type AdversaryRound } from '../../shared/rounds/adversary.ts';
import { Countdown } from './countdown.ts';
import { Emitter } from './emitter.ts';
import type { MinimaxSeries, QuestionMessage, RevealMessage, SessionEvents, Snapshot } from './game-session.ts';

/**
 * What a session remembers of the current round for its screens: the question, the reveal,
 * the ratings, and this device's own answer and stars. Both sessions hold one.
 */
class RoundMemory {
  private question: QuestionMessage | null = null;
  private reveal: RevealMessage | null = null;
  private ratings: RatingsPayload | null = null;
  private answer: { round: number; answer: unknown } | null = null;
  private stars = new Map<string, number>();
  private starsRound = -1;
  /** The latest adversarial Spot-the-fake series this device saw (for the final screen). */
  private series: MinimaxSeries | null = null;

  private readonly round: () => number;

  /** `round`: the session's current round (the one its screens show). */
  constructor(round: () => number) {
    this.round = round;
  }

  setQuestion(question: QuestionMessage): void {
    this.question = question;
    this.reveal = null;
  }

  setReveal(reveal: RevealMessage): void {
    this.reveal = reveal;
    if (reveal.ratings) this.setRatings(reveal.ratings);
    if (reveal.type === 'spot-fake') {
      const r = (reveal as RevealMessage<'spot-fake'>).reveal;
      if (r.adversary) this.series = { history: r.adversary, equilibrium: r.equilibriumValue, players: r.players.length };
    }
  }

  /** The series as the server resends it to a device that (re)joins; a reveal seen since is newer. */
  restoreSeries(history: AdversaryRound[], players: number): void {
    if (this.series && this.series.history.length >= history.length) return;
    this.series = { history, equilibrium: EQUILIBRIUM_VALUE, players };
  }

  minimaxSeries(): MinimaxSeries | null {
    return this.series;
  }

  setRatings(ratings: RatingsPayload): void {
    if (!this.ratings || ratings.round >= this.ratings.round) this.ratings = ratings;
  }

  setAnswer(round: number, answer: unknown): void {
    this.answer = { round, answer };
  }

  /** Records stars this device gives; false if it already rated that player this round. */
  giveStars(round: number, playerId: string, stars: number): boolean {
    if (round !== this.starsRound) {
      this.stars = new Map();
      this.starsRound = round;
    }
    if (this.stars.has(playerId)) return false;
    this.stars.set(playerId, stars);
    return true;
  }

  currentQuestion(): QuestionMessage | null {
    return this.question?.round === this.round() ? this.question : null;
  }

  currentReveal(): RevealMessage | null {
    return this.reveal?.round === this.round() ? this.reveal : null;
  }

  currentRatings(): RatingsPayload | null {
    return this.ratings?.round === this.round() ? this.ratings : null;
  }

  myAnswer<T extends RoundType>(type: T): AnswerOf<T> | null {
    if (this.answer?.round !== this.round() || this.question?.type !== type) return null;
    // The server accepted it for this round, whose type is `type`: so its schema passed it.
    return this.answer.answer as AnswerOf<T>;
  }

  pointsOf(playerId: string | null): number | null {
    const reveal = this.currentReveal();
    return playerId !== null && reveal ? (reveal.points[playerId] ?? null) : null;
  }

  starsGiven(playerId: string): number | undefined {
    return this.starsRound === this.round() ? this.stars.get(playerId) : undefined;
  }
}

/**
 * What the network and solo sessions share: the events, the countdown, and the current
 * round as this device saw it. Each subclass feeds `memory` from its own source.
 */
export abstract class SessionBase {
  readonly countdown = new Countdown();
  abstract readonly playerId: string | null;
  protected readonly events = new Emitter<SessionEvents>();
  protected readonly memory = new RoundMemory(() => this.snapshot().round);

  abstract snapshot(): Snapshot;

  currentQuestion(): QuestionMessage | null {
    return this.memory.currentQuestion();
  }

  currentReveal(): RevealMessage | null {
    return this.memory.currentReveal();
  }

  currentRatings(): RatingsPayload | null {
    return this.memory.currentRatings();
  }

  minimaxSeries(): MinimaxSeries | null {
    return this.memory.minimaxSeries();
  }

  myAnswer<T extends RoundType>(type: T): AnswerOf<T> | null {
    return this.memory.myAnswer(type);
  }

  myPoints(): number | null {
    return this.memory.pointsOf(this.playerId);
  }

  on<K extends keyof SessionEvents>(type: K, listener: (payload: SessionEvents[K]) => void): () => void {
    return this.events.on(type, listener);
  }
}
