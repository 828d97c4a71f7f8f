import { randomInt } from 'node:crypto';
import type { Client, Clock } from '@colyseus/core';
import type { FakeOrder, MadeFakes } from '../../shared/game/match.ts';
import type { ServerMessages } from '../../shared/protocol/messages.ts';
import { GameError } from '../../shared/protocol/errors.ts';
import type { Rng } from '../../shared/random.ts';
import { withSeed, type RenderRecipe } from '../../shared/render/recipes.ts';
import { JobBoard } from '../render/job-board.ts';
import type { RoomContext } from './room-context.ts';

/** Candidates a generator player chooses among for each fake. */
const GENERATOR_CANDIDATES = 4;

interface WorkerOffer {
  backend: string;
  msPerImage: number;
  volunteer: boolean;
}

/** What the studio needs from its room. */
interface StudioHost {
  readonly clock: Clock;
  readonly ctx: RoomContext;
  readonly hostSessions: ReadonlySet<string>;
  client(sessionId: string): Client | undefined;
  send<K extends keyof ServerMessages>(client: Client, type: K, payload: ServerMessages[K]): void;
  /** Players who could act as generator or volunteer render worker. */
  players(): { id: string; connected: boolean }[];
}

/** A wait that ends at a deadline or earlier, when `finish` is called. */
function deadline(clock: Clock, ms: number): { done: Promise<void>; finish: () => void } {
  let finish: () => void = () => undefined;
  const done = new Promise<void>((resolve) => {
    const timer = clock.setTimeout(resolve, ms);
    finish = () => {
      timer.clear();
      resolve();
    };
  });
  return { done, finish };
}

/**
 * Where a round's fakes come from. Generator players (if any) pick among candidates on
 * their own devices; a render worker (the host screen first, else the fastest volunteer)
 * renders the chosen recipes and uploads pixels, each checked by the job board; whatever
 * is missing at the deadline, or when the worker is lost, the server renders with the
 * same models. No player ever receives the recipe of an image they will judge: a student
 * worker sits its round out, and generator players know their own fakes by design.
 */
export class FakeStudio {
  private readonly room: StudioHost;
  private readonly workers = new Map<string, WorkerOffer>();
  private readonly generatorTurns = new Map<string, number>();
  /** Rounds each volunteer student has rendered (and so sat out): the turn passes round. */
  private readonly renderTurns = new Map<string, number>();
  private board: JobBoard | null = null;
  private slots = new Map<number, { playerId: string; candidates: RenderRecipe[]; pick: number | null }>();
  private finishWait: (() => void) | null = null;

  constructor(room: StudioHost) {
    this.room = room;
  }

  offer(sessionId: string, offer: WorkerOffer): void {
    this.workers.set(sessionId, offer);
  }

  /** A device left: if it owed renders, stop waiting for it. */
  lost(sessionId: string): void {
    this.workers.delete(sessionId);
    if (this.board?.workerId === sessionId) this.finishWait?.();
  }

  upload(sessionId: string, jobId: string, pixels: Uint8Array): void {
    if (!this.board) throw new GameError('render_unknown_job');
    this.board.accept(sessionId, jobId, pixels);
    if (this.board.complete()) this.finishWait?.();
  }

  pick(sessionId: string, slotIndex: number, candidate: number): void {
    const slot = this.slots.get(slotIndex);
    if (!slot || slot.playerId !== sessionId) throw new GameError('not_generator');
    if (candidate >= slot.candidates.length) throw new GameError('bad_message', 'No such candidate.');
    slot.pick = candidate;
    if ([...this.slots.values()].every((s) => s.pick !== null)) this.finishWait?.();
  }

  /** Ends any wait now (the game ended or the room closes); missing fakes are then rendered by the server. */
  cancel(): void {
    this.finishWait?.();
  }

  /** A generator player who comes back mid-pick gets their candidates again. */
  resendCandidates(client: Client, round: number): void {
    const mine = this.candidatesFor(client.sessionId);
    if (mine.length) this.room.send(client, 'gen:candidates', { round, deadlineMs: this.room.ctx.generatorPickMs, slots: mine });
  }

  /** Makes one round's fakes; a volunteer student who renders them sits the round out. */
  async make({ jobs, generators: generatorCount, draws, round }: FakeOrder): Promise<MadeFakes> {
    const { recipes, generators } = await this.generatorPicks(jobs, generatorCount, draws.stream('candidates'), round);
    const worker = this.pickWorker(new Set(generators.keys()));
    const deadlineMs = this.room.ctx.renderDeadlineMs;
    const board = new JobBoard(recipes, worker, deadlineMs);
    this.board = board;
    const client = worker ? this.room.client(worker) : undefined;
    if (client) {
      this.room.send(client, 'render:jobs', { round, deadlineMs, jobs: board.tickets });
      await this.wait(deadlineMs);
    }
    const missing = board.missing();
    if (missing.length) {
      this.room.ctx.log.info({ missing: missing.length, worker }, 'server renders fakes');
      const pixels = await this.room.ctx.models.render(missing.map((i) => board.tickets[i]!.recipe));
      missing.forEach((jobIndex, k) => board.fill(jobIndex, pixels[k]!));
    }
    this.board = null;
    const renderedBy = worker && !this.room.hostSessions.has(worker) ? worker : null;
    if (renderedBy) this.renderTurns.set(renderedBy, (this.renderTurns.get(renderedBy) ?? 0) + 1);
    return { renders: board.results(), renderedBy, generators };
  }

  private async wait(ms: number): Promise<void> {
    const { done, finish } = deadline(this.room.clock, ms);
    this.finishWait = finish;
    await done;
    this.finishWait = null;
  }

  /**
   * The generator team: each generator player gets candidates (the same caption from
   * several z) for some of the fakes, rendered on their own device, and picks one each.
   * Unpicked slots keep the first candidate when time runs out.
   */
  private async generatorPicks(jobs: RenderRecipe[], count: number, candidateSeeds: Rng, round: number) {
    const generators = new Map<string, number[]>();
    const team = this.pickGenerators(count);
    if (team.length === 0) return { recipes: jobs, generators };
    this.slots = new Map();
    jobs.forEach((recipe, job) => {
      const playerId = team[job % team.length]!;
      const candidates = Array.from({ length: GENERATOR_CANDIDATES }, (_, k) => (k === 0 ? recipe : withSeed(recipe, candidateSeeds.int(0, 0x7fffffff))));
      this.slots.set(job, { playerId, candidates, pick: null });
      generators.set(playerId, [...(generators.get(playerId) ?? []), job]);
    });
    for (const playerId of team) {
      this.generatorTurns.set(playerId, (this.generatorTurns.get(playerId) ?? 0) + 1);
      const client = this.room.client(playerId);
      if (client) this.resendCandidates(client, round);
    }
    await this.wait(this.room.ctx.generatorPickMs);
    const recipes = jobs.map((recipe, job) => {
      const slot = this.slots.get(job)!;
      return slot.candidates[slot.pick ?? 0] ?? recipe;
    });
    this.slots = new Map();
    return { recipes, generators };
  }

  private candidatesFor(playerId: string) {
    return [...this.slots].filter(([, s]) => s.playerId === playerId).map(([slot, s]) => ({ slot, caption: s.candidates[0]!.caption, candidates: s.candidates }));
  }

  /** Fewest turns as G first; at least one player always stays a discriminator. */
  private pickGenerators(count: number): string[] {
    const connected = this.room
      .players()
      .filter((p) => p.connected)
      .map((p) => p.id);
    const n = Math.min(count, connected.length - 1);
    if (n <= 0) return [];
    return connected
      .map((id) => ({ id, turns: this.generatorTurns.get(id) ?? 0, tiebreak: randomInt(0, 1_000_000) }))
      .sort((a, b) => a.turns - b.turns || a.tiebreak - b.tiebreak)
      .slice(0, n)
      .map((c) => c.id);
  }

  /**
   * The host screen if it offered; else a volunteering student who is not G this round
   * and is not the last discriminator, the fewest rounds rendered first, then the fastest.
   * That student sits the round out (it has seen the recipes).
   */
  private pickWorker(generators: ReadonlySet<string>): string | null {
    const ready = (id: string) => this.workers.has(id) && this.room.client(id) !== undefined;
    const speed = (id: string) => this.workers.get(id)!.msPerImage;
    const host = [...this.room.hostSessions].filter(ready).sort((a, b) => speed(a) - speed(b))[0];
    if (host) return host;
    const judges = this.room.players().filter((p) => p.connected && !generators.has(p.id));
    if (judges.length < 2) return null;
    const turns = (id: string) => this.renderTurns.get(id) ?? 0;
    const volunteers = judges.map((p) => p.id).filter((id) => ready(id) && this.workers.get(id)!.volunteer);
    return volunteers.sort((a, b) => turns(a) - turns(b) || speed(a) - speed(b))[0] ?? null;
  }
}
