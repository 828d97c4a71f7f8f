import { COLOURS, reducedMotion, SlotScene } from './slot-scene.ts';

const GROW_MS = 900;

/**
 * Score bars for the leaderboard rows. Each row's bar slot (data-slot="bar") carries its
 * share of the top score in data-value; the player's own row is marked data-me (its bar
 * is orange and striped, and the row says "you" in text, so colour is never the only cue).
 */
export class LeaderboardScene extends SlotScene {
  private bars!: Phaser.GameObjects.Graphics;
  private startedAt = 0;
  private elapsed = 0;

  constructor() {
    super('leaderboard');
  }

  create(): void {
    this.bars = this.add.graphics();
    this.startedAt = performance.now() - (reducedMotion() ? GROW_MS : 0);
  }

  override update(): void {
    this.elapsed = performance.now() - this.startedAt;
    const grow = 1 - (1 - Math.min(1, this.elapsed / GROW_MS)) ** 3;
    const g = this.bars.clear();
    let drawn = 0;
    for (const [i, el] of this.slotElements('bar').entries()) {
      const rect = this.rectOf(el);
      if (!rect) continue;
      const value = Math.min(1, Math.max(0, Number(el.dataset.value ?? 0)));
      const stagger = Math.min(1, Math.max(0, grow * 1.3 - i * 0.04));
      // Zero points: an empty track (a stub would read as a small score).
      const width = value > 0 ? Math.max(rect.height, rect.width * value * stagger) : 0;
      const mine = el.dataset.me === 'true';
      const radius = Math.min(rect.height / 2, 10);
      g.fillStyle(0xffffff, 0.08).fillRoundedRect(rect.x, rect.y, rect.width, rect.height, radius);
      if (width > 0) g.fillStyle(mine ? COLOURS.orange : COLOURS.sky, 1).fillRoundedRect(rect.x, rect.y, width, rect.height, radius);
      if (mine) {
        // Diagonal stripes: the own row stands out without relying on hue.
        g.lineStyle(3, COLOURS.ink, 0.35);
        for (let x = rect.x + 8; x < rect.x + width - 4; x += 12) {
          g.lineBetween(x, rect.y + rect.height - 2, Math.min(x + rect.height * 0.6, rect.x + width - 2), rect.y + 2);
        }
      }
      drawn++;
    }
    if (drawn > 0 && grow >= 1) this.markReady();
    this.settle();
  }

  protected override animating(): boolean {
    return this.elapsed < GROW_MS * 1.6;
  }
}
