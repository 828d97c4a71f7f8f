import { blendRound } from './blend-round.ts';
import { judgeRound } from './judge-round.ts';
import { noiseLabRound } from './noise-lab-round.ts';
import { restyleRound } from './restyle-round.ts';
import type { z } from 'zod';
import type { AnyRoundRules } from './round-rules.ts';
import { spotFakeRound } from './spot-fake-round.ts';
import { timestepRound } from './timestep-round.ts';

/** Every round type the playlist can hold. A new round is one entry here plus its view (client/rounds/views.ts). */
const ROUND_TYPES = {
  timestep: timestepRound,
  'spot-fake': spotFakeRound,
  judge: judgeRound,
  'noise-lab': noiseLabRound,
  blend: blendRound,
  restyle: restyleRound,
} as const satisfies Record<string, AnyRoundRules>;

export type RoundType = keyof typeof ROUND_TYPES;
export const ROUND_TYPE_NAMES = Object.keys(ROUND_TYPES) as RoundType[];

export function roundRules(type: RoundType): AnyRoundRules {
  return ROUND_TYPES[type];
}

type RulesOf<T extends RoundType> = (typeof ROUND_TYPES)[T];
/** What a round of type T asks (distributes over a union of types). */
export type QuestionOf<T extends RoundType> = T extends RoundType ? ReturnType<RulesOf<T>['prepare']>['question'] : never;
/** What a round of type T reveals. */
export type RevealOf<T extends RoundType> = T extends RoundType ? ReturnType<RulesOf<T>['reveal']> : never;
/** A valid answer to a round of type T. */
export type AnswerOf<T extends RoundType> = T extends RoundType ? z.output<RulesOf<T>['answerSchema']> : never;
