import { makeSample } from '../../shared/dataset/index.ts';
import { timestepSchedule } from '../../shared/rounds/timestep-round.ts';
import { NoisePath } from '../render/noise-path.ts';
import { reducedMotion, SlotScene } from './slot-scene.ts';

/** One cycle: clean, noised up to T, held, denoised back, held. */
const CYCLE_MS = 10_000;
const FRAME_MS = 100;

interface Tile {
  el: HTMLElement;
  path: NoisePath;
  image: Phaser.GameObjects.Image;
  key: string;
  offset: number;
  label: HTMLElement | null;
}

/**
 * Data-set images drifting through the forward process and back, for the landing page
 * and the waiting room: every tile (data-slot="tile", data-seed) is x_t of one image.
 */
export class NoiseLoopScene extends SlotScene {
  private tiles: Tile[] = [];
  private lastFrameAt = 0;
  private startedAt = 0;

  constructor() {
    super('noise-loop');
  }

  create(): void {
    this.tiles = [];
    this.startedAt = performance.now();
    this.lastFrameAt = 0;
    this.events.once('shutdown', () => (this.tiles = []));
  }

  /** Tiles come and go with the DOM (routes re-render); match them up every frame. */
  private syncTiles(): void {
    const elements = this.slotElements('tile');
    if (elements.length === this.tiles.length && elements.every((el, i) => this.tiles[i]!.el === el)) return;
    for (const tile of this.tiles) tile.image.destroy();
    this.tiles = elements.map((el, i) => {
      const seed = Number(el.dataset.seed ?? i + 1) >>> 0;
      const path = NoisePath.withSeed(makeSample(seed).pixels, seed ^ 0x5eed, timestepSchedule());
      const key = `tile-${i}`;
      this.pixelTexture(key, path.at(0));
      const image = this.add.image(0, 0, key).setVisible(false);
      return { el, path, image, key, offset: elements.length > 1 ? i / elements.length : 0.15, label: el.parentElement?.querySelector<HTMLElement>('.slot-t') ?? null };
    });
    this.lastFrameAt = 0;
  }

  override update(): void {
    this.syncTiles();
    const still = reducedMotion();
    const now = performance.now();
    const clock = now - this.startedAt;
    const redraw = now - this.lastFrameAt >= FRAME_MS;
    if (redraw) this.lastFrameAt = now;
    for (const tile of this.tiles) {
      const rect = this.rectOf(tile.el);
      this.fitImage(tile.image, rect);
      if (!redraw || !rect) continue;
      const t = still ? 250 : stepAt((((clock / CYCLE_MS + tile.offset) % 1) + 1) % 1);
      this.pixelTexture(tile.key, tile.path.at(t));
      if (tile.label) tile.label.textContent = `t = ${t}`;
    }
    if (this.tiles.length > 0) this.markReady();
    this.settle();
  }

  protected override animating(): boolean {
    return this.tiles.length > 0 && !reducedMotion();
  }
}

/** Phase in [0, 1) → timestep: hold clean, noise up, hold, denoise, with eased ramps. */
function stepAt(phase: number): number {
  const T = 1000;
  const ease = (u: number) => u * u * (3 - 2 * u);
  if (phase < 0.15) return 0;
  if (phase < 0.5) return Math.round(T * ease((phase - 0.15) / 0.35));
  if (phase < 0.6) return T;
  if (phase < 0.95) return Math.round(T * (1 - ease((phase - 0.6) / 0.35)));
  return 0;
}
