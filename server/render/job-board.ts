import { randomBytes } from 'node:crypto';
import { IMAGE_BYTES, type RenderRecipe } from '../../shared/render/recipes.ts';
import { GameError } from '../../shared/protocol/errors.ts';

const MAX_UPLOADS_PER_SECOND = 10;

interface JobTicket {
  jobId: string;
  recipe: RenderRecipe;
}

/**
 * The render jobs of one round: which worker owns which job, what has arrived, and the
 * checks every upload must pass (job id, worker, exact size and type, deadline, rate).
 * Job ids are random so a worker cannot guess another device's jobs.
 */
export class JobBoard {
  readonly tickets: JobTicket[];
  readonly workerId: string | null;
  private readonly deadline: number;
  private readonly pixels: (Uint8Array | null)[];
  private readonly byId = new Map<string, number>();
  private readonly uploads: number[] = [];
  private readonly now: () => number;

  constructor(recipes: readonly RenderRecipe[], workerId: string | null, deadlineMs: number, now: () => number = Date.now) {
    this.now = now;
    this.workerId = workerId;
    this.deadline = now() + deadlineMs;
    this.tickets = recipes.map((recipe, i) => {
      const jobId = randomBytes(9).toString('base64url');
      this.byId.set(jobId, i);
      return { jobId, recipe };
    });
    this.pixels = recipes.map(() => null);
  }

  /** Takes one upload; throws GameError (and changes nothing) when it fails a check. */
  accept(workerId: string, jobId: unknown, pixels: unknown): void {
    const index = typeof jobId === 'string' ? this.byId.get(jobId) : undefined;
    if (index === undefined) throw new GameError('render_unknown_job');
    if (workerId !== this.workerId) throw new GameError('render_not_yours');
    const now = this.now();
    if (now > this.deadline) throw new GameError('render_late');
    while (this.uploads.length && this.uploads[0]! <= now - 1000) this.uploads.shift();
    if (this.uploads.length >= MAX_UPLOADS_PER_SECOND) throw new GameError('render_too_fast');
    if (!(pixels instanceof Uint8Array) || pixels.length !== IMAGE_BYTES) throw new GameError('render_bad_pixels');
    if (this.pixels[index]) throw new GameError('render_duplicate');
    this.uploads.push(now);
    // Copy: the upload's buffer may be a view into a larger network frame.
    this.pixels[index] = Uint8Array.from(pixels);
  }

  missing(): number[] {
    return this.pixels.flatMap((p, i) => (p ? [] : [i]));
  }

  complete(): boolean {
    return this.missing().length === 0;
  }

  fill(index: number, pixels: Uint8Array): void {
    this.pixels[index] = pixels;
  }

  results(): Uint8Array[] {
    if (!this.complete()) throw new Error('render jobs are not complete');
    return this.pixels as Uint8Array[];
  }
}
