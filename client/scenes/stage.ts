import Phaser from 'phaser';
import { LeaderboardScene } from './leaderboard-scene.ts';
import { NoiseLoopScene } from './noise-loop-scene.ts';
import { PodiumScene } from './podium-scene.ts';
import { QuestionScene, type QuestionSceneData } from './question-scene.ts';
import { RevealScene, type RevealSceneData } from './reveal-scene.ts';

/** What the canvas should draw for the current screen. */
export type StageRequest =
  | { scene: 'none' }
  | { scene: 'noise-loop' }
  | ({ scene: 'question' } & QuestionSceneData)
  | ({ scene: 'reveal' } & RevealSceneData)
  | { scene: 'leaderboard' }
  | { scene: 'podium' };

export interface Stage {
  show(request: StageRequest): void;
  /** 'webgl' or 'canvas' (Phaser's fallback), for diagnostics. */
  readonly renderer: string;
}

const SCENES = ['noise-loop', 'question', 'reveal', 'leaderboard', 'podium'] as const;

/** Only the first scene of a game starts by itself: this empty one reports the stage ready. */
class BootScene extends Phaser.Scene {
  private readonly onReady: () => void;
  constructor(onReady: () => void) {
    super('boot');
    this.onReady = onReady;
  }
  create(): void {
    this.onReady();
  }
}

export function createStage(parent: HTMLElement): Promise<Stage> {
  return new Promise((resolve) => {
    const stage = (game: Phaser.Game): Stage => {
      // Scenes put the loop to sleep when nothing moves; anything that can move a slot wakes it.
      const wake = () => game.loop.wake();
      window.addEventListener('scroll', wake, { passive: true, capture: true });
      window.addEventListener('resize', wake);
      new MutationObserver(wake).observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
      return {
        renderer: game.renderer.type === Phaser.WEBGL ? 'webgl' : 'canvas',
        show(request) {
          wake();
          for (const key of SCENES) if (key !== request.scene) game.scene.stop(key);
          if (request.scene === 'none') {
            parent.dataset.scene = 'none';
            parent.dataset.ready = 'true';
            return;
          }
          // start() restarts a running scene with the new data.
          game.scene.start(request.scene, request);
        },
      };
    };
    const game: Phaser.Game = new Phaser.Game({
      type: Phaser.AUTO,
      parent,
      transparent: true,
      banner: false,
      // Nearest filtering for every texture (32×32 images shown big); antialiasGL keeps
      // the Graphics edges smooth.
      render: { antialias: false, antialiasGL: true, roundPixels: true, powerPreference: 'low-power' },
      // Classroom laptops and a shared CPU: 30 fps is plenty for these animations.
      fps: { target: 30, limit: 30 },
      scale: { mode: Phaser.Scale.RESIZE, width: '100%', height: '100%' },
      input: { keyboard: false, mouse: false, touch: false, gamepad: false },
      audio: { noAudio: true },
      scene: [
        new BootScene(() => {
          const ready = stage(game);
          parent.dataset.renderer = ready.renderer;
          resolve(ready);
        }),
        NoiseLoopScene,
        QuestionScene,
        RevealScene,
        LeaderboardScene,
        PodiumScene,
      ],
    });
  });
}
