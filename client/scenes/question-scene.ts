import type { Countdown } from '../session/countdown.ts';
import { COLOURS, SlotScene } from './slot-scene.ts';

export interface QuestionSceneData {
  pixels: Uint8Array;
  countdown: Countdown;
}

/** The noisy image, big, and a dial that empties as the answer window closes. */
export class QuestionScene extends SlotScene {
  private data$!: QuestionSceneData;
  private image!: Phaser.GameObjects.Image;
  private dial!: Phaser.GameObjects.Graphics;

  constructor() {
    super('question');
  }

  override init(data: QuestionSceneData): void {
    super.init();
    this.data$ = data;
  }

  create(): void {
    this.image = this.add.image(0, 0, this.pixelTexture('question-image', this.data$.pixels)).setVisible(false);
    this.dial = this.add.graphics();
  }

  override update(): void {
    const rect = this.rectOf(this.slotElement('question-image'));
    this.fitImage(this.image, rect);
    this.drawDial();
    if (rect) this.markReady();
    this.settle();
  }

  protected override animating(): boolean {
    const { countdown } = this.data$;
    return !countdown.paused && countdown.remainingMs() > 0;
  }

  private drawDial(): void {
    const g = this.dial.clear();
    const rect = this.rectOf(this.slotElement('timer-dial'));
    if (!rect) return;
    const { countdown } = this.data$;
    const cx = rect.x + rect.width / 2;
    const cy = rect.y + rect.height / 2;
    const width = Math.max(4, Math.min(rect.width, rect.height) * 0.09);
    const r = Math.min(rect.width, rect.height) / 2 - width / 2 - 1;
    const fraction = countdown.fraction();
    const colour = countdown.paused ? COLOURS.muted : fraction < 0.25 ? COLOURS.orange : COLOURS.sky;
    g.lineStyle(width, 0xffffff, 0.12).strokeCircle(cx, cy, r);
    if (fraction <= 0) return;
    const start = -Math.PI / 2;
    g.lineStyle(width, colour, 1)
      .beginPath()
      .arc(cx, cy, r, start, start + fraction * Math.PI * 2, false)
      .strokePath();
  }
}
