import Phaser from 'phaser';
import { IMAGE_SIZE } from '../../shared/dataset/vocabulary.ts';
import { rgbToImageData } from '../render/pixels.ts';

interface SlotRect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export const reducedMotion = (): boolean => window.matchMedia('(prefers-reduced-motion: reduce)').matches;

/** Okabe–Ito colours: distinguishable with every common colour-vision deficiency. */
export const COLOURS = {
  orange: 0xe69f00,
  sky: 0x56b4e9,
  green: 0x009e73,
  yellow: 0xf0e442,
  blue: 0x0072b2,
  vermillion: 0xd55e00,
  purple: 0xcc79a7,
  ink: 0x0f1330,
  paper: 0xf4f6ff,
  muted: 0x8a93c2,
} as const;

/**
 * A scene that draws into places the DOM lays out: elements with data-slot="name".
 * The canvas covers the viewport (position: fixed) at CSS-pixel scale, so an element's
 * client rect is directly its position on the canvas. Layout is re-read every frame, so
 * scrolling, resizing and re-rendered panels need no bookkeeping.
 */
export abstract class SlotScene extends Phaser.Scene {
  private readyMarked = false;
  private idleFrames = 0;

  /** Whether the scene still has motion to show; when not, the game loop may sleep. */
  protected animating(): boolean {
    return false;
  }

  /**
   * Called at the end of update(): a still screen stops the game loop (no redraws, no
   * battery drain on phones). The stage wakes it when the page scrolls, resizes or changes.
   */
  protected settle(): void {
    if (this.animating()) {
      this.idleFrames = 0;
      return;
    }
    if (++this.idleFrames >= 3) {
      this.idleFrames = 0;
      this.game.loop.sleep();
    }
  }

  protected slotElement(name: string): HTMLElement | null {
    return document.querySelector<HTMLElement>(`[data-slot="${name}"]`);
  }

  protected slotElements(name: string): HTMLElement[] {
    return [...document.querySelectorAll<HTMLElement>(`[data-slot="${name}"]`)];
  }

  /** The element's rect on the canvas, or null when it is gone, hidden or off screen. */
  protected rectOf(el: Element | null): SlotRect | null {
    if (!el?.isConnected) return null;
    const r = el.getBoundingClientRect();
    if (r.width < 2 || r.height < 2) return null;
    if (r.bottom < 0 || r.right < 0 || r.top > window.innerHeight || r.left > window.innerWidth) return null;
    return { x: r.left, y: r.top, width: r.width, height: r.height };
  }

  /** Puts an image square and centred in a slot (pixel images are square). */
  protected fitImage(image: Phaser.GameObjects.Image, rect: SlotRect | null): void {
    if (!rect) {
      image.setVisible(false);
      return;
    }
    const side = Math.floor(Math.min(rect.width, rect.height));
    image
      .setVisible(true)
      .setPosition(Math.round(rect.x + rect.width / 2), Math.round(rect.y + rect.height / 2))
      .setDisplaySize(side, side);
  }

  /** Creates or updates a 32×32 texture from RGB bytes, crisp when scaled up. */
  protected pixelTexture(key: string, rgb: Uint8Array): string {
    const existing = this.textures.exists(key) ? (this.textures.get(key) as Phaser.Textures.CanvasTexture) : null;
    const texture = existing ?? this.textures.createCanvas(key, IMAGE_SIZE, IMAGE_SIZE);
    if (!texture) throw new Error(`could not create texture ${key}`);
    texture.getContext().putImageData(rgbToImageData(rgb), 0, 0);
    texture.refresh();
    // refresh() re-uploads with the renderer's default (smooth) filter; pixels must stay crisp.
    texture.setFilter(Phaser.Textures.FilterMode.NEAREST);
    return key;
  }

  /** Tells the page (and tests) that this scene has drawn its content. */
  protected markReady(): void {
    if (this.readyMarked) return;
    this.readyMarked = true;
    const stage = document.getElementById('stage');
    if (stage) {
      stage.dataset.scene = this.scene.key;
      stage.dataset.ready = 'true';
    }
  }

  init(_data?: unknown): void {
    this.readyMarked = false;
    const stage = document.getElementById('stage');
    if (stage) {
      stage.dataset.scene = this.scene.key;
      stage.dataset.ready = 'false';
    }
  }
}
