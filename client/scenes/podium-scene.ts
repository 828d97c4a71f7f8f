import { COLOURS, reducedMotion, SlotScene } from './slot-scene.ts';

const RISE_MS = 1200;
const CONFETTI = [COLOURS.orange, COLOURS.sky, COLOURS.green, COLOURS.yellow, COLOURS.purple, COLOURS.vermillion];
/** Places 1–3; tone alone does not carry the place (the numbers are in the DOM above). */
const BLOCK_COLOURS: Record<string, number> = { '1': COLOURS.yellow, '2': 0xc9d1f2, '3': COLOURS.orange };

/** Podium blocks rising under the top three names, and one burst of confetti. */
export class PodiumScene extends SlotScene {
  private blocks!: Phaser.GameObjects.Graphics;
  private startedAt = 0;
  private elapsed = 0;
  private burst: Phaser.GameObjects.Particles.ParticleEmitter | null = null;

  constructor() {
    super('podium');
  }

  create(): void {
    this.startedAt = performance.now() - (reducedMotion() ? RISE_MS : 0);
    this.elapsed = 0;
    this.blocks = this.add.graphics();
    if (!this.textures.exists('confetti')) {
      const g = this.make.graphics({}, false);
      g.fillStyle(0xffffff, 1).fillRect(0, 0, 8, 14);
      g.generateTexture('confetti', 8, 14);
      g.destroy();
    }
    this.burst = null;
    if (!reducedMotion()) {
      // A short shower from the top edge, light enough not to hide the names.
      this.burst = this.add.particles(0, -20, 'confetti', {
        emitting: false,
        x: { min: 0, max: this.scale.width },
        lifespan: 5000,
        speedY: { min: 140, max: 260 },
        speedX: { min: -50, max: 50 },
        gravityY: 30,
        rotate: { start: 0, end: 720 },
        scale: { min: 0.6, max: 1.1 },
        tint: CONFETTI,
        frequency: 60,
        quantity: 2,
      });
    }
  }

  override update(): void {
    const before = this.elapsed;
    this.elapsed = performance.now() - this.startedAt;
    const rise = 1 - (1 - Math.min(1, this.elapsed / RISE_MS)) ** 3;
    const g = this.blocks.clear();
    let drawn = 0;
    for (const el of this.slotElements('podium-block')) {
      const rect = this.rectOf(el);
      if (!rect) continue;
      const height = rect.height * rise;
      const top = rect.y + rect.height - height;
      g.fillStyle(BLOCK_COLOURS[el.dataset.rank ?? ''] ?? COLOURS.sky, 1).fillRoundedRect(rect.x, top, rect.width, height, { tl: 12, tr: 12, bl: 0, br: 0 });
      g.fillStyle(0xffffff, 0.18).fillRect(rect.x + 6, top + 6, rect.width - 12, Math.min(10, height / 4));
      drawn++;
    }
    if (this.burst && drawn > 0 && before < RISE_MS && this.elapsed >= RISE_MS) {
      this.burst.start();
      this.time.delayedCall(1800, () => this.burst?.stop());
    }
    if (drawn > 0 && rise >= 1) this.markReady();
    this.settle();
  }

  protected override animating(): boolean {
    return this.elapsed < RISE_MS || (this.burst !== null && (this.burst.emitting || this.burst.getAliveParticleCount() > 0));
  }
}
