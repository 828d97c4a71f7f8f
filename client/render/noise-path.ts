import { alphaBar, type Schedule } from '../../shared/diffusion/index.ts';
import { pixelsToSigned, signedToPixels } from '../../shared/render/pixel-codec.ts';
import { createRng } from '../../shared/random.ts';

/**
 * One image's path through the forward process with a fixed ε:
 * x_t = √ᾱ_t x_0 + √(1−ᾱ_t) ε. Sliding t along it shows noising (t up) or, played
 * backwards, what a perfect denoiser would recover (t down).
 */
export class NoisePath {
  private readonly x0: Float32Array;
  private readonly eps: Float32Array;
  private readonly schedule: Schedule;
  private readonly out: Uint8Array;

  private constructor(x0: Float32Array, eps: Float32Array, schedule: Schedule) {
    this.x0 = x0;
    this.eps = eps;
    this.schedule = schedule;
    this.out = new Uint8Array(x0.length);
  }

  static withSeed(clean: Uint8Array, noiseSeed: number, schedule: Schedule): NoisePath {
    const rng = createRng(noiseSeed);
    const eps = new Float32Array(clean.length);
    for (let i = 0; i < eps.length; i++) eps[i] = rng.normal();
    return new NoisePath(pixelsToSigned(clean), eps, schedule);
  }

  /**
   * The path through a revealed pair: ε is solved from x_t and x_0, so the path starts
   * at exactly the image players saw (up to its 8-bit clipping) and ends at the clean one.
   */
  static throughPair(noisy: Uint8Array, clean: Uint8Array, t: number, schedule: Schedule): NoisePath {
    const x0 = pixelsToSigned(clean);
    const xt = pixelsToSigned(noisy);
    const ab = alphaBar(schedule, t);
    const a = Math.sqrt(ab);
    const b = Math.max(1e-3, Math.sqrt(1 - ab));
    const eps = new Float32Array(x0.length);
    for (let i = 0; i < eps.length; i++) eps[i] = (xt[i]! - a * x0[i]!) / b;
    return new NoisePath(x0, eps, schedule);
  }

  /** x_t as RGB bytes; t is rounded and clamped to [0, T]. The buffer is reused. */
  at(t: number): Uint8Array {
    const step = Math.min(this.schedule.T, Math.max(0, Math.round(t)));
    const ab = alphaBar(this.schedule, step);
    const a = Math.sqrt(ab);
    const b = Math.sqrt(1 - ab);
    const x = new Float32Array(this.x0.length);
    for (let i = 0; i < x.length; i++) x[i] = a * this.x0[i]! + b * this.eps[i]!;
    return signedToPixels(x, this.out);
  }
}
