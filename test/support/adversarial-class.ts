/**
 * A simulated class for the generator that plays back: students who answer Spot the fake as
 * the neural D does (its calibrated probability, plus a student's own noise, rounded to the
 * offered confidences), playing adversarial rounds with the shipped models.
 */
import { GameEngine } from '../../shared/game/engine.ts';
import { createRng, seededSource } from '../../shared/random.ts';
import { CONFIDENCES, NOT_SURE } from '../../shared/rounds/log-score.ts';
import type { AdversaryRound } from '../../shared/rounds/adversary.ts';
import { loadNodeModels } from '../../models/runtime/node.ts';
import { renderRecipes } from '../../models/runtime/render-recipes.ts';

export const ROUNDS = 6;
const STUDENTS = 5;

/** The series of one simulated class (seeded): V(D,G) and the fool rate of each round. */
export async function simulateAdversarialClass(seed: number): Promise<AdversaryRound[]> {
  const gan = await loadNodeModels({});
  try {
    const game = new GameEngine(
      {
        playlist: [{ type: 'spot-fake', count: ROUNDS, timerSec: 30, options: { images: 8, source: 'gan', difficulty: 'medium', generators: 0, adversarial: true } }],
        relaxed: false,
      },
      seededSource(seed),
    );
    const students = Array.from({ length: STUDENTS }, (_, k) => ({ id: `s${k}`, rng: createRng(seed * 31 + k) }));
    for (const s of students) game.addPlayer(s.id, `Student ${s.id}`);
    let last: AdversaryRound[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const { jobs } = game.nextRenderJobs();
      game.startRound(await renderRecipes({ gan }, jobs));
      const { images } = game.current!.secret as { images: { id: string; caption: string; pixels: Uint8Array }[] };
      const d = gan.discriminateMany(
        images.map((im) => im.pixels),
        images.map((im) => im.caption),
      );
      for (const s of students) {
        const answers = images.map((im, i) => {
          const belief = Math.min(0.99, Math.max(0.01, d[i]! + 0.08 * s.rng.normal()));
          const sure = Math.max(belief, 1 - belief);
          const confidence = CONFIDENCES.reduce((best, c) => (Math.abs(c - sure) < Math.abs(best - sure) ? c : best), NOT_SURE);
          return { id: im.id, real: belief >= 0.5, confidence };
        });
        game.submitAnswer(s.id, r, { answers }, 1000);
      }
      last = (game.reveal().payload.reveal as { adversary: AdversaryRound[] }).adversary;
      if (r < ROUNDS - 1) game.showLeaderboard();
    }
    return last;
  } finally {
    gan.dispose();
  }
}
