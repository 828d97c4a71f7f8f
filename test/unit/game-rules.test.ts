import { describe, expect, it } from 'vitest';
import { GameEngine } from '../../shared/game/engine.ts';
import { generateJoinCode, JOIN_CODE_ALPHABET, normalizeJoinCode } from '../../shared/game/lobby-rules.ts';
import { isOffensive, validateNickname } from '../../shared/game/nickname.ts';
import { gameSettingsSchema, planRounds } from '../../shared/game/settings.ts';
import { GameError } from '../../shared/protocol/errors.ts';
import { createRng, seededSource } from '../../shared/random.ts';
import { seededDraws } from '../../shared/random.ts';
import {
  TIMESTEP_LOGSNR_RANGE,
  TIMESTEP_LOGSNR_TOLERANCE,
  timestepAtLogSnr,
  timestepLogSnr,
  timestepRound,
  timestepSchedule,
  timestepScore,
} from '../../shared/rounds/timestep-round.ts';
import { resultsToCsv } from '../../server/http/report-csv.ts';

describe('join codes', () => {
  it('uses six characters without look-alikes', () => {
    const rng = createRng(1);
    for (let i = 0; i < 500; i++) {
      const code = generateJoinCode(() => rng.next());
      expect(code).toMatch(/^[A-Z2-9]{6}$/);
      expect(code).not.toMatch(/[01OIL]/);
    }
    expect(JOIN_CODE_ALPHABET).not.toMatch(/[01OIL]/);
  });
  it('normalises what people type and rejects the rest', () => {
    expect(normalizeJoinCode(' ab c-2 3d ')).toBe('ABC23D');
    expect(normalizeJoinCode('ABC')).toBeNull();
    expect(normalizeJoinCode('ABCDE0')).toBeNull();
  });
});

describe('nicknames', () => {
  it('trims, limits length and keeps names unique regardless of case', () => {
    expect(validateNickname('  Ada   Lovelace ', [])).toEqual({ ok: true, nickname: 'Ada Lovelace' });
    expect(validateNickname('x'.repeat(20), []).ok).toBe(true);
    expect(validateNickname('x'.repeat(21), []).ok).toBe(false);
    expect(validateNickname('', []).ok).toBe(false);
    expect(validateNickname('\u200b\u200b', []).ok).toBe(false);
    expect(validateNickname(42, []).ok).toBe(false);
    expect(validateNickname('ADA', ['ada'])).toMatchObject({ ok: false, code: 'nickname_taken' });
    expect(validateNickname('😀😀😀', []).ok).toBe(true);
  });
  it('treats look-alike names as the same name (compatibility forms, other scripts)', () => {
    // U+217C SMALL ROMAN NUMERAL FIFTY, Cyrillic Es, fullwidth letters: all "Clean1" on screen.
    for (const twin of ['C\u217Cean1', '\u0421lean1', '\uFF23\uFF4C\uFF45\uFF41\uFF4E\uFF11']) {
      expect(validateNickname(twin, ['Clean1']), twin).toMatchObject({ ok: false, code: 'nickname_taken' });
    }
    expect(validateNickname('Clean2', ['Clean1']).ok).toBe(true);
    expect(validateNickname('Mia', ['Mila', 'Mio']).ok).toBe(true);
    expect(isOffensive('\uFF46\uFF55\uFF43\uFF4B')).toBe(true); // fullwidth
  });
  it('filters offensive words, including disguised ones, but not innocent names', () => {
    for (const bad of ['fuck', 'FuCk you', '5h1t', 'b!tch', 'big ass', 'Dick']) expect(isOffensive(bad), bad).toBe(true);
    for (const fine of ['Dickens', 'Essex', 'Cassie', 'Scunthorpe United', 'Grass', 'Hancock']) expect(isOffensive(fine), fine).toBe(false);
  });
});

describe('timestep scoring', () => {
  const at = (t: number, dLambda: number) => timestepAtLogSnr(timestepLogSnr(t) + dLambda);
  it('measures closeness in log-SNR and pays speed only for useful answers', () => {
    expect(timestepScore(300, 300, null)).toEqual({ points: 1000, accuracy: 1000, speedBonus: 0 });
    // Half the tolerance away in λ: about half the points, on either side and at any t.
    for (const t of [40, 150, 450]) {
      for (const side of [-1, 1]) expect(Math.abs(timestepScore(t, at(t, (side * TIMESTEP_LOGSNR_TOLERANCE) / 2), null).accuracy - 500), `t = ${t}`).toBeLessThan(40);
    }
    expect(timestepScore(300, at(300, -TIMESTEP_LOGSNR_TOLERANCE - 0.1), 1).points).toBe(0);
    expect(timestepScore(100, 900, 1).points).toBe(0);
    const near = timestepScore(300, 310, 0.5);
    expect(near.speedBonus).toBe(100);
    expect(near.accuracy).toBeGreaterThan(900);
    expect(timestepScore(300, 300, 1.7).speedBonus).toBe(200);
  });

  it('draws readable noise levels: λ uniform over its range, never an image with under a fifth of its signal', () => {
    const lambdas: number[] = [];
    for (let seed = 0; seed < 400; seed++) {
      const { secret } = timestepRound.prepare(seededDraws(seed), {}, []);
      lambdas.push(timestepLogSnr(secret.t));
      expect(Math.sqrt(timestepSchedule().alphaBars[secret.t - 1]!)).toBeGreaterThan(0.2);
    }
    const [lo, hi] = TIMESTEP_LOGSNR_RANGE;
    // Four equal bins of λ each hold about a quarter of the rounds (each within ±7 points at n = 400).
    for (let b = 0; b < 4; b++) {
      const inBin = lambdas.filter((l) => l >= lo + ((hi - lo) * b) / 4 - 0.1 && l < lo + ((hi - lo) * (b + 1)) / 4 + 0.1).length / lambdas.length;
      expect(Math.abs(inBin - 0.25), `bin ${b}`).toBeLessThan(0.07);
    }
  });
});

describe('settings', () => {
  it('expands the playlist and applies the relaxed pace', () => {
    const settings = gameSettingsSchema.parse({ playlist: [{ type: 'timestep', count: 3, timerSec: 20 }], relaxed: true });
    const plan = planRounds(settings);
    expect(plan).toHaveLength(3);
    expect(plan[0]).toEqual({ type: 'timestep', durationMs: 60_000, speedBonus: false, options: {} });
    expect(gameSettingsSchema.safeParse({ playlist: [{ type: 'timestep', count: 3, timerSec: 5 }], relaxed: false }).success).toBe(false);
    expect(gameSettingsSchema.safeParse({ playlist: [{ type: 'nope', count: 3, timerSec: 20 }], relaxed: false }).success).toBe(false);
  });
});

describe('game engine', () => {
  const settings = { playlist: [{ type: 'timestep' as const, count: 2, timerSec: 20 }], relaxed: false };

  it('runs rounds, scores answers and ranks players', () => {
    const game = new GameEngine(settings, seededSource(7));
    game.addPlayer('a', 'Ana');
    game.addPlayer('b', 'Ben');
    const q = game.startRound();
    expect(q.round).toBe(0);
    expect(Object.keys(q.question as object).sort()).toEqual(['T', 'kind', 'pixels']);
    const truth = (game.current!.secret as { t: number }).t;
    game.submitAnswer('a', 0, { t: truth }, 5_000);
    expect(() => game.submitAnswer('a', 0, { t: truth }, 6_000)).toThrow(GameError);
    expect(game.allAnswered()).toBe(false);
    const { rows } = game.reveal();
    expect(rows).toHaveLength(2);
    expect(rows.find((r) => r.playerId === 'b')).toMatchObject({ answer: '', points: 0, elapsedMs: null });
    const standings = game.standings();
    expect(standings[0]).toMatchObject({ id: 'a', rank: 1, score: 1000 + 150 });
    expect(standings[1]).toMatchObject({ id: 'b', rank: 2, score: 0 });
    expect(() => game.submitAnswer('b', 0, { t: 1 }, 1)).toThrow(/closed/);
    game.showLeaderboard();
    expect(game.hasNextRound()).toBe(true);
    game.startRound();
    expect(game.hasNextRound()).toBe(false);
  });

  it('draws the same rounds from the same seed, and different ones from another', () => {
    const secretOf = (seed: number) => {
      const g = new GameEngine(settings, seededSource(seed));
      g.addPlayer('a', 'A');
      g.startRound();
      return g.current!.secret as { t: number; noisy: Uint8Array };
    };
    expect(secretOf(3)).toEqual(secretOf(3));
    expect(secretOf(3).noisy).not.toEqual(secretOf(4).noisy);
  });

  it('refuses settings changes after the start', () => {
    const game = new GameEngine(settings, seededSource(1));
    game.addPlayer('a', 'A');
    game.startRound();
    expect(() => game.configure(settings)).toThrow(GameError);
  });
});

describe('CSV report', () => {
  it('escapes fields and defuses spreadsheet formulas', () => {
    const csv = resultsToCsv([
      { roundIndex: 0, roundType: 'timestep', playerId: 'p1', nickname: '=HYPERLINK("x")', answer: '5', truth: '7', points: 992, elapsedMs: 1234 },
      { roundIndex: 0, roundType: 'timestep', playerId: 'p2', nickname: 'Li, "Sam"', answer: '', truth: '7', points: 0, elapsedMs: null },
    ]);
    const lines = csv.trimEnd().split('\r\n');
    expect(lines[1]).toBe(`1,timestep,p1,"'=HYPERLINK(""x"")",5,7,992,1.23`);
    expect(lines[2]).toBe('1,timestep,p2,"Li, ""Sam""",,7,0,');
  });

  it('defuses a formula in every text cell, and leaves numbers as numbers', () => {
    const csv = resultsToCsv([{ roundIndex: 2, roundType: 'judge', playerId: '-x9', nickname: 'Ann', answer: '+SUM(A1)', truth: '@cmd', points: -3, elapsedMs: 500 }]);
    expect(csv.trimEnd().split('\r\n')[1]).toBe("3,judge,'-x9,Ann,'+SUM(A1),'@cmd,-3,0.50");
  });
});
