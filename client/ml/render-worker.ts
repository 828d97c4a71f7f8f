/**
 * The device side of render jobs (shared/protocol/messages.ts). After the models are warm
 * the device offers itself (`render:ready`); when the server assigns it `render:jobs` it
 * renders each recipe and uploads `render:result` pixels, paced under the server's upload
 * rate and skipping jobs past the deadline (the server renders whatever is missing).
 * Recipes say which images are fakes: they are never shown or logged.
 */
import type { RenderRecipe } from '../../shared/render/recipes.ts';
import type { ServerMessages } from '../../shared/protocol/messages.ts';
import type { SessionChannel } from '../session/game-session.ts';

/** The part of ModelService the worker needs (tests pass a double). */
interface RenderModels {
  ready(): Promise<void>;
  readonly backend: string | null;
  readonly msPerImage: number | null;
  renderRecipes(recipes: readonly RenderRecipe[]): Promise<Uint8Array[]>;
}

interface RenderWorkerOptions {
  /** a student ticked "volunteer my device"; the host screen always offers (false is fine there) */
  volunteer: boolean;
  models: RenderModels;
  /** uploads per second; the server refuses more than 10 (server/render/job-board.ts) */
  uploadsPerSecond?: number;
  /** stop this many ms before the server's deadline */
  safetyMs?: number;
  /** called after each round's jobs with counts only (never recipes) */
  onRound?: (summary: { round: number; uploaded: number; skipped: number; ms: number }) => void;
}

export interface RenderWorker {
  /** Resolves once the offer (`render:ready`) has been sent. */
  readonly offered: Promise<void>;
  /** Sends the offer again (e.g. after a reconnect). */
  offer(): Promise<void>;
  stop(): void;
}

type Jobs = ServerMessages['render:jobs'];

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function startRenderWorker(channel: SessionChannel, options: RenderWorkerOptions): RenderWorker {
  const { models, volunteer } = options;
  const perSecond = options.uploadsPerSecond ?? 8;
  const safetyMs = options.safetyMs ?? 250;
  const sent: number[] = []; // upload times in the last second
  let stopped = false;
  let queue: Promise<void> = Promise.resolve();

  const offer = async () => {
    await models.ready();
    if (stopped) return;
    channel.send('render:ready', { backend: (models.backend ?? 'unknown').slice(0, 16), msPerImage: Math.min(60_000, Math.max(0.1, models.msPerImage ?? 1000)), volunteer });
  };

  const upload = async (jobId: string, pixels: Uint8Array): Promise<boolean> => {
    for (;;) {
      const now = performance.now();
      while (sent.length && sent[0]! <= now - 1000) sent.shift();
      if (sent.length < perSecond) break;
      await sleep(sent[0]! + 1000 - now + 5);
    }
    if (stopped) return false;
    sent.push(performance.now());
    channel.send('render:result', { jobId, pixels });
    return true;
  };

  const run = async ({ round, deadlineMs, jobs }: Jobs, receivedAt: number) => {
    const start = performance.now();
    const end = receivedAt + deadlineMs - safetyMs;
    let uploaded = 0;
    // GAN-family recipes go as one batch; each diffusion image on its own so early ones upload early.
    const fast = jobs.filter((j) => j.recipe.model !== 'diffusion');
    const slow = jobs.filter((j) => j.recipe.model === 'diffusion');
    const groups = [...(fast.length ? [fast] : []), ...slow.map((j) => [j])];
    let diffusionFailed = false;
    for (const group of groups) {
      if (stopped || performance.now() >= end) break;
      const isDiffusion = group[0]!.recipe.model === 'diffusion';
      if (isDiffusion && diffusionFailed) continue;
      let pixels: Uint8Array[];
      try {
        pixels = await models.renderRecipes(group.map((j) => j.recipe));
      } catch {
        // Counts only: a recipe says which image is fake. The server renders what is missing.
        console.warn(`render worker: ${group.length} job(s) of round ${round} could not be rendered here`);
        if (isDiffusion) diffusionFailed = true;
        continue;
      }
      for (const [i, job] of group.entries()) {
        if (stopped || performance.now() >= end) break;
        if (await upload(job.jobId, pixels[i]!)) uploaded += 1;
      }
      await sleep(0); // let the page paint between images
    }
    options.onRound?.({ round, uploaded, skipped: jobs.length - uploaded, ms: performance.now() - start });
  };

  const unsubscribe = channel.onMessage('render:jobs', (payload) => {
    const p = payload as Partial<Jobs> | null;
    if (!p || typeof p.deadlineMs !== 'number' || !Array.isArray(p.jobs)) return;
    const receivedAt = performance.now();
    // One round at a time; a failure in one round never blocks the next.
    queue = queue.then(() => run(p as Jobs, receivedAt)).catch(() => undefined);
  });

  const offered = offer();
  offered.catch(() => undefined); // surfaced through `offered` and the model status widget
  return {
    offered,
    offer,
    stop() {
      stopped = true;
      if (typeof unsubscribe === 'function') unsubscribe();
    },
  };
}
