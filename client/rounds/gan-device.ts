/**
 * What this device does for the GAN rounds besides showing screens, per network session:
 * - render worker: the host screen (always, once the playlist has rounds with fakes) or a
 *   student who ticked "Volunteer this device" loads the models, offers itself
 *   (`render:ready`) and answers `render:jobs` (client/ml/render-worker.ts);
 * - generator team: a student who receives `gen:candidates` renders the candidates locally
 *   and sends `gen:pick`.
 * Recipes say which images are fakes: nothing here shows or logs them.
 */
import type { ServerMessages } from '../../shared/protocol/messages.ts';
import type { RenderRecipe } from '../../shared/render/recipes.ts';
import { roundRules, ROUND_TYPE_NAMES, type RoundType } from '../../shared/rounds/registry.ts';
import type { GameSettings } from '../../shared/game/settings.ts';
import { getModelService, type ModelService } from '../ml/model-service.ts';
import { startRenderWorker, type RenderWorker } from '../ml/render-worker.ts';
import type { SessionChannel } from '../session/game-session.ts';

interface GeneratorSlot {
  slot: number;
  caption: string;
  /** Rendered on this device; null while rendering (or if it failed). */
  images: Uint8Array[] | null;
  count: number;
  pick: number | null;
}

export interface GeneratorTurn {
  round: number;
  deadlineAt: number;
  slots: GeneratorSlot[];
  error: string | null;
  /** True once the picks went to the server (the server stops waiting when every slot has one). */
  sent: boolean;
}

export class GanDevice {
  readonly models: ModelService;
  private readonly channel: SessionChannel;
  private worker: RenderWorker | null = null;
  private volunteerOn = false;
  private readonly turns = new Map<number, GeneratorTurn>();
  private readonly listeners = new Set<() => void>();
  private readonly offs: (() => void)[] = [];
  renderedRounds = 0;

  constructor(channel: SessionChannel, models: ModelService = getModelService()) {
    this.channel = channel;
    this.models = models;
    this.offs.push(channel.onMessage('gen:candidates', (payload) => void this.candidates(payload)));
  }

  /** Calls `listener` on every change (generator turn, picks, worker). */
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(): void {
    for (const l of this.listeners) l();
  }

  get volunteering(): boolean {
    return this.volunteerOn;
  }

  get rendering(): boolean {
    return this.worker !== null;
  }

  /** The host screen: offers itself as render worker (idempotent). */
  startHostWorker(): void {
    if (this.worker) return;
    this.worker = this.startWorker(false);
    this.changed();
  }

  /** A student's checkbox: offer this device as a volunteer render worker, or withdraw. */
  setVolunteer(on: boolean): void {
    if (on === this.volunteerOn) return;
    this.volunteerOn = on;
    if (on) this.worker = this.startWorker(true);
    else {
      this.worker?.stop();
      this.worker = null;
      // There is no "withdraw" message: an offer without `volunteer` is never picked for a student.
      if (this.models.status.state === 'ready') {
        this.channel.send('render:ready', {
          backend: (this.models.backend ?? 'unknown').slice(0, 16),
          msPerImage: Math.max(0.1, this.models.msPerImage ?? 1000),
          volunteer: false,
        });
      }
    }
    this.changed();
  }

  private startWorker(volunteer: boolean): RenderWorker {
    return startRenderWorker(this.channel, {
      volunteer,
      models: this.models,
      onRound: () => {
        this.renderedRounds += 1;
        this.changed();
      },
    });
  }

  /** This device's generator turn for round `round`, if it plays G then. */
  turn(round: number): GeneratorTurn | null {
    return this.turns.get(round) ?? null;
  }

  /** The newest turn still being picked (the round that is being prepared). */
  latestTurn(): GeneratorTurn | null {
    const rounds = [...this.turns.keys()];
    return rounds.length ? this.turns.get(Math.max(...rounds))! : null;
  }

  /** Chooses a candidate on this device (arrow keys may browse); `sendPicks` submits. */
  choose(round: number, slot: number, candidate: number): void {
    const turn = this.turns.get(round);
    const s = turn?.slots.find((x) => x.slot === slot);
    if (!turn || turn.sent || !s || candidate < 0 || candidate >= s.count) return;
    s.pick = candidate;
    this.changed();
  }

  /** Sends one `gen:pick` per slot (the first candidate where none was chosen). */
  sendPicks(round: number): void {
    const turn = this.turns.get(round);
    if (!turn || turn.sent) return;
    for (const s of turn.slots) {
      s.pick ??= 0;
      this.channel.send('gen:pick', { slot: s.slot, candidate: s.pick });
    }
    turn.sent = true;
    this.changed();
  }

  private async candidates(message: ServerMessages['gen:candidates']): Promise<void> {
    if (!message || !Array.isArray(message.slots)) return;
    const existing = this.turns.get(message.round);
    const turn: GeneratorTurn = existing ?? {
      round: message.round,
      deadlineAt: performance.now() + message.deadlineMs,
      slots: message.slots.map((s) => ({ slot: s.slot, caption: s.caption, images: null, count: s.candidates.length, pick: null })),
      error: null,
      sent: false,
    };
    this.turns.set(message.round, turn);
    this.changed();
    if (existing?.slots.every((s) => s.images)) return;
    try {
      const recipes: RenderRecipe[] = message.slots.flatMap((s) => s.candidates);
      const images = await this.models.renderRecipes(recipes);
      let at = 0;
      for (const [i, s] of message.slots.entries()) {
        turn.slots[i]!.images = images.slice(at, at + s.candidates.length);
        at += s.candidates.length;
      }
    } catch (error) {
      turn.error = error instanceof Error ? error.message : 'The models could not run on this device.';
    }
    this.changed();
  }

  stop(): void {
    this.worker?.stop();
    this.worker = null;
    for (const off of this.offs.splice(0)) off();
    this.listeners.clear();
  }
}

/** Whether a playlist has rounds whose images a generative model must make. */
export function needsRenders(settings: GameSettings): boolean {
  return settings.playlist.some((e) => ROUND_TYPE_NAMES.includes(e.type as RoundType) && typeof roundRules(e.type).renderJobs === 'function');
}
