import type { RoundType } from '../../shared/rounds/registry.ts';
import type { QuestionMessage, RevealMessage } from '../session/game-session.ts';
import type { Panel, PanelContext } from '../ui/panel.ts';
import { timestepQuestionPanel, timestepRevealPanel } from './timestep-view.ts';

/** A round type's screens. The host's playlist only offers types that have one. */
export interface RoundView {
  question(ctx: PanelContext, question: QuestionMessage): Panel;
  reveal(ctx: PanelContext, reveal: RevealMessage): Panel;
}

const VIEWS: Partial<Record<RoundType, RoundView>> = {
  timestep: { question: timestepQuestionPanel, reveal: timestepRevealPanel },
};

export function roundView(type: string): RoundView | null {
  return VIEWS[type as RoundType] ?? null;
}

export function playableRoundTypes(): RoundType[] {
  return Object.keys(VIEWS) as RoundType[];
}
