/**
 * The generator that plays back (shared/rounds/adversary.ts and adversarial Spot the fake):
 * the search climbs a fitness it only sees through judged fakes, the engine carries its
 * memory from one adversarial round to the next (and through a snapshot), and nothing of it
 * reaches a judging player.
 */
import { describe, expect, it } from 'vitest';
import { GameEngine } from '../../shared/game/engine.ts';
import { createRng, seededSource } from '../../shared/random.ts';
import { afterRound, nextCandidates, type AdversaryMemory } from '../../shared/rounds/adversary.ts';
import { GAN_Z_DIM } from '../../shared/render/recipes.ts';
import { spotFakeRound } from '../../shared/rounds/spot-fake-round.ts';
import { IMAGE_BYTES } from '../../shared/render/recipes.ts';

describe('the adversary search', () => {
  it('starts from the prior and climbs a fitness it sees only through judged candidates', () => {
    const rng = createRng(4);
    const first = nextCandidates(null, rng, 4, () => 'a small red circle');
    expect(first).toHaveLength(4);
    expect(first.every((c) => c.z.length === GAN_Z_DIM && c.psi === 1 && c.caption === 'a small red circle')).toBe(true);
    // A toy class that is fooled by fakes along one direction of z.
    const w = Array.from({ length: GAN_Z_DIM }, (_, i) => (i % 2 ? 1 : -1) / Math.sqrt(GAN_Z_DIM));
    const fitness = (z: number[]) => 1 / (1 + Math.exp(-z.reduce((s, v, i) => s + v * w[i]!, 0)));
    let memory: AdversaryMemory | null = null;
    const means: number[] = [];
    for (let g = 0; g < 8; g++) {
      const cands = nextCandidates(memory, rng, 4, () => 'a small red circle');
      const judged = cands.map((c) => ({ ...c, fitness: fitness(c.z) }));
      means.push(judged.reduce((s, c) => s + c.fitness, 0) / judged.length);
      memory = afterRound(memory, judged, { classValue: null, neuralValue: null, foolRate: null, neuralFoolRate: null });
    }
    expect(memory!.history.map((h) => h.round)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(means.slice(-2).reduce((a, b) => a + b) / 2).toBeGreaterThan(means.slice(0, 2).reduce((a, b) => a + b) / 2 + 0.15);
    expect(memory!.pool.every((c) => c.psi >= 0.5 && c.psi <= 1.5)).toBe(true);
  });
});

const pixels = (v: number) => new Uint8Array(IMAGE_BYTES).fill(v);

describe('adversarial Spot the fake in the engine', () => {
  const settings = {
    playlist: [
      { type: 'spot-fake' as const, count: 2, timerSec: 30, options: { images: 4, source: 'gan', difficulty: 'medium', generators: 0, adversarial: true } },
      { type: 'spot-fake' as const, count: 1, timerSec: 30, options: { images: 4, source: 'gan', difficulty: 'medium', generators: 0 } },
    ],
    relaxed: false,
  };

  it('refuses options it cannot play', () => {
    expect(spotFakeRound.optionsSchema.safeParse({ images: 4, source: 'diffusion', difficulty: 'medium', adversarial: true }).success).toBe(false);
    expect(spotFakeRound.optionsSchema.safeParse({ images: 4, source: 'gan', difficulty: 'medium', generators: 1, adversarial: true }).success).toBe(false);
  });

  it("breeds round 2's fakes from the fakes that fooled round 1, keeps the series through a snapshot, and leaves other rounds alone", () => {
    const game = new GameEngine(settings, seededSource(9));
    game.addPlayer('a', 'Ana');
    const round1 = game.nextRenderJobs();
    expect(round1.jobs.every((j) => j.model === 'gan' && j.z?.length === GAN_Z_DIM)).toBe(true);
    const q1 = game.startRound(round1.jobs.map((_, i) => pixels(60 + i)));
    const secret1 = game.current!.secret as { images: { id: string; real: boolean }[]; adversary: { candidates: Record<string, { z: number[] }> } };
    // The question carries no z, no ψ, no truth.
    expect(JSON.stringify(q1)).not.toMatch(/"z"|psi|adversary|"real"/);
    // Ana calls the first fake real (fooled) and the second fake.
    const [fooler, caught] = secret1.images.filter((im) => !im.real);
    game.submitAnswer(
      'a',
      0,
      {
        answers: secret1.images.map((im) => ({ id: im.id, real: im.real || im.id === fooler!.id, confidence: 0.9 })),
      },
      1000,
    );
    // Every fake's caption is also a real image's caption in the round: the caption is no tell.
    const all = game.current!.secret as { images: { caption: string; real: boolean }[] };
    for (const f of all.images.filter((im) => !im.real)) expect(all.images.some((im) => im.real && im.caption === f.caption)).toBe(true);
    const reveal1 = game.reveal().payload.reveal as { adversary: { round: number; foolRate: number | null }[] };
    expect(reveal1.adversary).toEqual([expect.objectContaining({ round: 1, foolRate: 0.5 })]);
    game.showLeaderboard();
    const restored = GameEngine.restore(JSON.parse(JSON.stringify(game.snapshot())), seededSource(9), [], []);
    for (const engine of [game, restored]) {
      const round2 = engine.nextRenderJobs();
      // Children of the fooling fake are near it; the caught one had fitness 0.1 against 0.9.
      const parent = secret1.adversary.candidates[fooler!.id]!.z;
      const other = secret1.adversary.candidates[caught!.id]!.z;
      const dist = (a: number[], b: number[]) => Math.hypot(...a.map((v, i) => v - b[i]!));
      const z0 = (round2.jobs[0] as { z: number[] }).z;
      expect(dist(z0, parent)).toBeLessThan(dist(z0, other));
    }
    restored.startRound(restored.nextRenderJobs().jobs.map(() => pixels(90)));
    const reveal2 = restored.reveal().payload.reveal as { adversary: { round: number }[] };
    expect(reveal2.adversary.map((r) => r.round)).toEqual([1, 2]);
    restored.showLeaderboard();
    // The third round is not adversarial: ordinary recipes, no series in its reveal.
    const round3 = restored.nextRenderJobs();
    expect(round3.jobs.every((j) => j.model === 'gan' && j.z === undefined)).toBe(true);
    restored.startRound(round3.jobs.map(() => pixels(100)));
    expect((restored.reveal().payload.reveal as { adversary: unknown }).adversary).toBeNull();
  });
});
