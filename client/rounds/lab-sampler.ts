/**
 * The Noise lab's "sample" tool: runs the diffusion model (Models II) on this device with
 * the player's schedule, sampler and step count, and shows the denoising step by step — a
 * live pixel-space x_t (√ᾱ_t D(x̂₀) + √(1−ᾱ_t) ε) and a strip of the model's x̂₀ guesses.
 */
import { alphaBar, ddimSample, ddpmSample, withClippedX0, type StepCallback } from '../../shared/diffusion/index.ts';
import { createRng } from '../../shared/random.ts';
import { SAMPLE_GUIDANCE } from '../../shared/rounds/noise-lab-round.ts';
import { buildSchedule, DDPM_MAX_T, MAX_SAMPLE_STEPS, MIN_SAMPLE_STEPS, LAB_X0_BOUND, type SamplerKind, type ScheduleSpec } from '../../shared/rounds/schedule-spec.ts';
import { mountModelStatus } from '../ml/model-status.ts';
import { getModelService } from '../ml/model-service.ts';
import { rgbToImageData } from '../render/pixels.ts';
import { h } from '../ui/dom.ts';

interface SampleRun {
  spec: ScheduleSpec;
  sampler: SamplerKind;
  steps: number;
  image: Uint8Array;
}

interface LabSampler {
  el: HTMLElement;
  /** The last finished run (what "lock in" submits), or null. */
  last(): SampleRun | null;
  /** Re-reads the schedule (T) after an edit: DDPM's step count, the "changed since" hint. */
  refresh(): void;
  destroy(): void;
}

/** How many x̂₀ frames the strip keeps (evenly over the run, the last one always). */
const STRIP_FRAMES = 6;
/** One latent of the diffusion model: 8×8×4 values (models/diffusion/network.ts LATENT_SIZE; not imported, it pulls in TF.js). */
const LATENT_VALUES = 8 * 8 * 4;
const DEFAULT_STEPS = 20;

const drawn = new WeakMap<HTMLCanvasElement, Uint8Array>();

/** Draws and remembers the pixels: a GPU reset clears 2D canvases, and they are drawn again on 'contextrestored'. */
function draw(canvas: HTMLCanvasElement, pixels: Uint8Array): void {
  if (!drawn.has(canvas)) canvas.addEventListener('contextrestored', () => canvas.getContext('2d')?.putImageData(rgbToImageData(drawn.get(canvas)!), 0, 0));
  drawn.set(canvas, pixels);
  canvas.getContext('2d')?.putImageData(rgbToImageData(pixels), 0, 0);
}

const pause = (ms: number) => new Promise<void>((resolve) => window.setTimeout(resolve, ms));

const sameSpec = (a: ScheduleSpec, b: ScheduleSpec) => JSON.stringify(a) === JSON.stringify(b);

export function labSampler(options: { idPrefix: string; caption: string; noiseSeed: number; spec: () => ScheduleSpec; onSampled?: (run: SampleRun) => void }): LabSampler {
  const { idPrefix, caption, noiseSeed } = options;
  const samplerSelect = h(
    'select',
    { id: `${idPrefix}-sampler`, 'data-testid': 'lab-sampler' },
    h('option', { value: 'ddim' }, 'DDIM (jumps over the schedule)'),
    h('option', { value: 'ddpm' }, `DDPM (every step; T ≤ ${DDPM_MAX_T})`),
  );
  const stepsInput = h('input', {
    id: `${idPrefix}-steps`,
    type: 'number',
    min: MIN_SAMPLE_STEPS,
    max: MAX_SAMPLE_STEPS,
    step: 1,
    value: DEFAULT_STEPS,
    'data-testid': 'lab-steps',
  });
  const button = h('button', { type: 'button', class: 'button', 'data-testid': 'lab-sample-button' }, 'Sample');
  const live = h('canvas', { class: 'gan-image placeholder', width: 32, height: 32, role: 'img', 'aria-label': 'The sample as it is denoised', 'data-testid': 'lab-sample-live' });
  const liveLabel = h('span', {}, 'x_T: noise, before sampling');
  const strip = h('div', { class: 'lab-strip', 'data-testid': 'lab-sample-strip', 'aria-label': 'The model’s guesses of x₀ during sampling, decoded to pixels' });
  // Latent diffusion: what the model denoises is not the picture.
  const latentNote = h(
    'p',
    { class: 'hint', 'data-testid': 'lab-latent-note' },
    'This model works in latent space (Rombach et al.’s latent diffusion): it denoises an 8×8×4 latent, not the 32×32 picture. The strip shows D(x̂₀), its guess of the clean latent put through the decoder D; the live frame shows x_t as the pixel forward process would, √ᾱ_t·D(x̂₀) + √(1 − ᾱ_t)·ε.',
  );
  const status = h(
    'p',
    { class: 'hint', role: 'status', 'data-testid': 'lab-sample-status' },
    `Press Sample: the diffusion model draws “${caption}” on this device with your schedule.`,
  );
  const stale = h(
    'p',
    { class: 'hint', 'data-testid': 'lab-sample-stale', hidden: true },
    'You changed the set-up since this sample: sample again to use it (locking in sends the sample shown).',
  );
  const controls = h(
    'div',
    { class: 'lab-controls' },
    h('label', { for: `${idPrefix}-sampler` }, 'Sampler '),
    samplerSelect,
    h('label', { for: `${idPrefix}-steps` }, ' steps '),
    stepsInput,
    button,
  );
  const el = h(
    'div',
    { class: 'lab-editor lab-sampler', 'data-testid': 'lab-sampler-tool' },
    controls,
    h('figure', { class: 'gan-figure' }, live, h('figcaption', {}, liveLabel)),
    strip,
    latentNote,
    status,
    stale,
  );
  const widget = mountModelStatus(el, getModelService());
  // Load while the player shapes the schedule, so "Sample" starts at once.
  void getModelService()
    .diffusion()
    .catch(() => undefined);

  let last: SampleRun | null = null;
  let running: AbortController | null = null;

  const sampler = (): SamplerKind => (samplerSelect.value === 'ddpm' ? 'ddpm' : 'ddim');
  const refresh = () => {
    const T = options.spec().T;
    if (sampler() === 'ddpm') {
      stepsInput.value = String(T);
      stepsInput.disabled = true;
    } else stepsInput.disabled = false;
    stale.hidden = !last || (sameSpec(last.spec, options.spec()) && last.sampler === sampler() && String(last.steps) === stepsInput.value);
  };
  samplerSelect.addEventListener('change', () => {
    if (sampler() === 'ddim') stepsInput.value = String(DEFAULT_STEPS);
    refresh();
  });
  stepsInput.addEventListener('input', refresh);

  async function run(): Promise<void> {
    const spec = options.spec();
    const kind = sampler();
    const steps = kind === 'ddpm' ? spec.T : Math.round(Number(stepsInput.value));
    if (kind === 'ddpm' && spec.T > DDPM_MAX_T) {
      status.textContent = `DDPM takes every one of the T steps: set T to ${DDPM_MAX_T} or less, or use DDIM.`;
      return;
    }
    if (kind === 'ddim' && !(steps >= MIN_SAMPLE_STEPS && steps <= Math.min(MAX_SAMPLE_STEPS, spec.T))) {
      status.textContent = `DDIM steps: ${MIN_SAMPLE_STEPS} to ${Math.min(MAX_SAMPLE_STEPS, spec.T)} (at most T).`;
      return;
    }
    running?.abort();
    const abort = new AbortController();
    running = abort;
    button.disabled = true;
    status.textContent = 'Loading the diffusion model…';
    try {
      const dm = await getModelService().diffusion();
      if (abort.signal.aborted) return;
      const schedule = buildSchedule(spec);
      // One fixed pixel noise per run, so the live x_t frames are coherent.
      const rng = createRng(noiseSeed ^ 0x5eed);
      const noise = new Float32Array(32 * 32 * 3);
      for (let i = 0; i < noise.length; i++) noise[i] = rng.normal();
      const count = kind === 'ddpm' ? spec.T : steps;
      const keep = new Set(Array.from({ length: Math.min(STRIP_FRAMES, count) }, (_, k) => Math.round(((k + 1) * count) / Math.min(STRIP_FRAMES, count))));
      strip.replaceChildren();
      live.classList.remove('placeholder');
      // Slow enough to watch a short run; a long one just plays as fast as the device can.
      const delay = Math.max(0, Math.min(120, 1500 / count));
      const onStep: StepCallback = async (t, _x, x0Pred, info) => {
        draw(live, dm.pixelView(x0Pred, alphaBar(schedule, info.tNext), noise)[0]!);
        liveLabel.textContent = `step ${info.index} of ${info.count}: x_t at t = ${info.tNext}`;
        status.textContent = `Denoising: step ${info.index} of ${info.count} (t = ${t} → ${info.tNext}).`;
        if (keep.has(info.index)) {
          const c = h('canvas', { class: 'lab-x', width: 32, height: 32, role: 'img', 'aria-label': `x̂₀ guessed at t = ${t}, decoded` });
          draw(c, dm.decode(x0Pred)[0]!);
          strip.append(h('figure', { class: 'lab-xfig' }, c, h('figcaption', {}, `D(x̂₀) @ t=${t}`)));
        }
        await pause(delay);
      };
      // The model's own guided ε on the player's schedule, through the shared samplers, with
      // x̂₀ kept in the latent range (see LAB_X0_BOUND: a tiny ᾱ_T would blow it up).
      const common = {
        schedule,
        shape: LATENT_VALUES,
        eps: withClippedX0(dm.guidedEpsModel(schedule, SAMPLE_GUIDANCE), schedule, LAB_X0_BOUND),
        rng: createRng(noiseSeed),
        cond: dm.phi([caption]),
        signal: abort.signal,
        onStep,
      };
      const latent = kind === 'ddpm' ? await ddpmSample(common) : await ddimSample({ ...common, steps, eta: 0 });
      const result = { images: dm.decode(latent) };
      if (abort.signal.aborted) return;
      const image = result.images[0]!;
      draw(live, image);
      liveLabel.textContent = 'x₀: your sample';
      last = { spec, sampler: kind, steps, image };
      live.dataset.sampled = String(Number(live.dataset.sampled ?? '0') + 1);
      status.textContent = `Done: ${kind.toUpperCase()} with ${count} steps. Lock it in, or change the schedule or the steps and sample again.`;
      options.onSampled?.(last);
    } catch (error) {
      if (abort.signal.aborted) return;
      status.textContent = `The diffusion model could not run here (${error instanceof Error ? error.message : String(error)}).`;
    } finally {
      if (running === abort) {
        running = null;
        button.disabled = false;
        refresh();
      }
    }
  }
  button.addEventListener('click', () => void run());
  refresh();

  return {
    el,
    last: () => last,
    refresh,
    destroy: () => {
      running?.abort();
      widget.destroy();
    },
  };
}
