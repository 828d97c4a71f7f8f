import { timestepSchedule } from '../../shared/rounds/timestep-round.ts';
import { NoisePath } from '../render/noise-path.ts';
import { reducedMotion, SlotScene } from './slot-scene.ts';

export interface RevealSceneData {
  noisy: Uint8Array;
  clean: Uint8Array;
  t: number;
}

const DELAY_MS = 500;
const DENOISE_MS = 2500;

/**
 * x_t beside x_0. The clean side first replays the path from x_t down to x_0 (the ε that
 * links the two solved from the pair), so the reveal shows what t steps of noise undid.
 */
export class RevealScene extends SlotScene {
  private data$!: RevealSceneData;
  private noisy!: Phaser.GameObjects.Image;
  private clean!: Phaser.GameObjects.Image;
  private path!: NoisePath;
  private startedAt = 0;
  private elapsed = 0;
  private shownStep = -1;

  constructor() {
    super('reveal');
  }

  override init(data: RevealSceneData): void {
    super.init();
    this.data$ = data;
  }

  create(): void {
    const { noisy, clean, t } = this.data$;
    this.path = NoisePath.throughPair(noisy, clean, t, timestepSchedule());
    this.startedAt = performance.now() - (reducedMotion() ? DELAY_MS + DENOISE_MS : 0);
    this.elapsed = 0;
    this.shownStep = -1;
    this.noisy = this.add.image(0, 0, this.pixelTexture('reveal-noisy', noisy)).setVisible(false);
    this.clean = this.add.image(0, 0, this.pixelTexture('reveal-clean', this.path.at(t))).setVisible(false);
  }

  override update(): void {
    // Wall-clock time: on a slow device frames are few and far between, not the animation longer.
    this.elapsed = performance.now() - this.startedAt;
    const u = Math.min(1, Math.max(0, (this.elapsed - DELAY_MS) / DENOISE_MS));
    // Ease out: most of the visible change happens at small t, so linger there.
    const step = Math.round(this.data$.t * (1 - u) ** 2);
    if (step !== this.shownStep) {
      this.shownStep = step;
      this.pixelTexture('reveal-clean', step === 0 ? this.data$.clean : this.path.at(step));
      const label = this.slotElement('reveal-clean')?.parentElement?.querySelector('.slot-t');
      if (label) label.textContent = step === 0 ? 't = 0' : `t = ${step}`;
    }
    const noisyRect = this.rectOf(this.slotElement('reveal-noisy'));
    this.fitImage(this.noisy, noisyRect);
    this.fitImage(this.clean, this.rectOf(this.slotElement('reveal-clean')));
    if (noisyRect && u >= 1) this.markReady();
    this.settle();
  }

  protected override animating(): boolean {
    return this.elapsed < DELAY_MS + DENOISE_MS + 100;
  }
}
