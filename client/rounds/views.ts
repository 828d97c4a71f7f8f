import type { RoundType } from '../../shared/rounds/registry.ts';
import type { QuestionMessage, RevealMessage } from '../session/game-session.ts';
import type { Panel, PanelContext } from '../ui/panel.ts';
import { timestepQuestionPanel, timestepRevealPanel } from './timestep-view.ts';
import { ganOptionsEditor } from './gan-common.ts';
import { judgeQuestionPanel, judgeRevealPanel } from './judge-view.ts';
import { spotFakeQuestionPanel, spotFakeRevealPanel } from './spot-fake-view.ts';
import { GENERATOR_TEAM_MAX } from '../../shared/rounds/spot-fake-round.ts';
import { labOptionsEditor, noiseLabQuestionPanel, noiseLabRevealPanel } from './noise-lab-view.ts';
import { blendOptionsEditor, blendQuestionPanel, blendRevealPanel } from './blend-view.ts';
import { restyleOptionsEditor, restyleQuestionPanel, restyleRevealPanel } from './restyle-view.ts';

/**
 * A round type's screens, typed by its rule book: `question` and `reveal` receive that
 * round's own payloads (registry.ts QuestionOf / RevealOf), so views never cast them.
 */
export interface RoundView<T extends RoundType = RoundType> {
  question(ctx: PanelContext, question: QuestionMessage<T>): Panel;
  reveal(ctx: PanelContext, reveal: RevealMessage<T>): Panel;
  /**
   * The host's per-type settings in the playlist (optional). The playlist form calls it once
   * per round type that has it and puts `el` under that type's row; ids inside must start
   * with `idPrefix` (unique on the page). `current` is the type's options as stored in the
   * playlist entry (the rule book's `defaultOptions` when the entry has none); call
   * `onChange` with the complete new options object whenever the host changes one, and only
   * with options the rule book's `optionsSchema` accepts. The form keeps them in
   * `PlaylistEntry.options` and calls `set()` when settings arrive from the server. Inputs
   * inside `el` need no other wiring: their change/input events stay inside the editor.
   */
  optionsEditor?(idPrefix: string, current: Readonly<Record<string, unknown>>, onChange: (options: Record<string, unknown>) => void): OptionsEditor;
}

/** What `RoundView.optionsEditor` returns. */
export interface OptionsEditor {
  el: HTMLElement;
  /** Shows options that came from elsewhere (the server); must not call `onChange`. */
  set(options: Readonly<Record<string, unknown>>): void;
}

/** Every round type's screens: a rule book in shared/rounds/registry.ts without one here is a type error. */
const VIEWS: { [T in RoundType]: RoundView<T> } = {
  timestep: { question: timestepQuestionPanel, reveal: timestepRevealPanel },
  'spot-fake': {
    question: spotFakeQuestionPanel,
    reveal: spotFakeRevealPanel,
    optionsEditor: ganOptionsEditor({ images: [2, 8], generators: GENERATOR_TEAM_MAX, adversarial: true }),
  },
  judge: { question: judgeQuestionPanel, reveal: judgeRevealPanel, optionsEditor: ganOptionsEditor({ images: [3, 8] }) },
  'noise-lab': { question: noiseLabQuestionPanel, reveal: noiseLabRevealPanel, optionsEditor: labOptionsEditor },
  blend: { question: blendQuestionPanel, reveal: blendRevealPanel, optionsEditor: blendOptionsEditor },
  restyle: { question: restyleQuestionPanel, reveal: restyleRevealPanel, optionsEditor: restyleOptionsEditor },
};

/** The screens of a round type (each view gets its own payload type; the union is checked by `type`). */
export function roundView(type: RoundType): RoundView {
  return VIEWS[type];
}

export function playableRoundTypes(): RoundType[] {
  return Object.keys(VIEWS) as RoundType[];
}
