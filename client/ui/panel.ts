import type { StageRequest } from '../scenes/stage.ts';
import type { GameSession, Snapshot } from '../session/game-session.ts';

/** A piece of a screen that follows the game state until it is replaced. */
export interface Panel {
  el: HTMLElement;
  /** What the canvas draws while this panel is shown. */
  stage?: StageRequest;
  update?(snapshot: Snapshot): void;
  /** Where keyboard focus goes when this panel replaces one that had it. */
  focus?: HTMLElement;
  destroy?(): void;
}

/** Where the canvas is: a stand-in until Phaser has loaded, then the real stage. */
export interface StageHandle {
  show(request: StageRequest): void;
}

export interface PanelContext {
  session: GameSession;
  stage: StageHandle;
}
