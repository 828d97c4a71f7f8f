/**
 * The generator that plays back (adversarial Spot the fake): between rounds, G searches its
 * latent space z and truncation ψ for fakes that fool the class, as an evolution strategy
 * with elitism (Rechenberg's (μ, λ) with the best few carried over). The fakes that fooled
 * most of the class are the parents of the next round's: z' = z + σ·ε, ψ' = ψ·e^(τ·n). So
 * as the class learns G's tells, G moves, and the class lives the minimax game
 * min_G max_D V(D, G) round by round. Pure arithmetic over seeded draws: the server runs it,
 * the render worker only ever sees the resulting z.
 */
import { parseCaption } from '../dataset/index.ts';
import type { Rng } from '../random.ts';
import { GAN_Z_DIM } from '../render/recipes.ts';
import { captionChanging } from './caption-pairs.ts';

/** Mutation scale of z (the prior is N(0, I): 0.4 moves a fake visibly but keeps most of what fooled). */
const SIGMA = 0.4;
/** Log-normal step of ψ, and its range (the truncation knob: smaller ψ, more typical fakes). */
const PSI_STEP = 0.15;
const PSI_RANGE = [0.5, 1.5] as const;
/** Judged fakes kept as parents, and how many of the older ones survive a generation (their fitness discounted: the class has learnt since). */
const POOL = 8;
const CARRY = 2;
const DISCOUNT = 0.85;
/** How often a child's caption moves one attribute away from its parent's. */
const CAPTION_MUTATION = 0.1;

/**
 * One fake G proposes: its caption is part of the search (D's verdict on a z does not carry
 * over to another caption: measured correlation −0.03), and the round shows a real image of
 * every fake's caption beside it, so the caption tells nothing.
 */
export interface AdversaryCandidate {
  caption: string;
  z: number[];
  psi: number;
}

/** V(D,G) at the minimax equilibrium (D = ½ everywhere): −log 4 nats (Goodfellow et al. 2014, Theorem 1). */
export const EQUILIBRIUM_VALUE = -Math.log(4);

/** One round of the series, as the reveal and the final screen plot it. */
export interface AdversaryRound {
  /** 1-based place in the series */
  round: number;
  /** V(D,G) in nats from the class's answers (and from the neural D): −log 4 at the equilibrium */
  classValue: number | null;
  neuralValue: number | null;
  /** share of the class's answers on fakes that said "real"; the neural D's share of fakes it gave D > ½ */
  foolRate: number | null;
  neuralFoolRate: number | null;
}

export interface AdversaryMemory {
  generation: number;
  pool: (AdversaryCandidate & { fitness: number })[];
  history: AdversaryRound[];
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}

/**
 * The next round's fakes: fresh draws of the prior (with `freshCaption`'s captions) for the
 * first round, then children of the fittest.
 */
export function nextCandidates(memory: AdversaryMemory | null, rng: Rng, count: number, freshCaption: () => string): AdversaryCandidate[] {
  const pool = [...(memory?.pool ?? [])].sort((a, b) => b.fitness - a.fitness);
  if (pool.length === 0) return Array.from({ length: count }, () => ({ caption: freshCaption(), z: Array.from({ length: GAN_Z_DIM }, () => rng.normal()), psi: 1 }));
  const parents = pool.slice(0, Math.max(1, Math.ceil(pool.length / 2)));
  return Array.from({ length: count }, (_, k) => {
    const p = parents[k % parents.length]!;
    const attrs = parseCaption(p.caption);
    return {
      caption: attrs && rng.next() < CAPTION_MUTATION ? captionChanging(rng, attrs, 1) : p.caption,
      z: p.z.map((v) => v + SIGMA * rng.normal()),
      psi: clamp(p.psi * Math.exp(PSI_STEP * rng.normal()), PSI_RANGE[0], PSI_RANGE[1]),
    };
  });
}

/** The memory after a round: this round's fakes with their fitness (how real the class found them), plus the best older ones. */
export function afterRound(memory: AdversaryMemory | null, judged: readonly (AdversaryCandidate & { fitness: number })[], entry: Omit<AdversaryRound, 'round'>): AdversaryMemory {
  const carried = [...(memory?.pool ?? [])]
    .sort((a, b) => b.fitness - a.fitness)
    .slice(0, CARRY)
    .map((c) => ({ ...c, fitness: c.fitness * DISCOUNT }));
  const history = memory?.history ?? [];
  return {
    generation: (memory?.generation ?? 0) + 1,
    pool: [...judged, ...carried].sort((a, b) => b.fitness - a.fitness).slice(0, POOL),
    history: [...history, { round: history.length + 1, ...entry }],
  };
}
