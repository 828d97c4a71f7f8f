/**
 * Seeded pseudo-random numbers shared by the server, the browser, training and tests.
 * Math.random cannot be seeded, and every image, noise field and secret in the game must
 * be reproducible from a seed (for tests, for reports and for resumable training).
 */
export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Integer in [lo, hi] inclusive. */
  int(lo: number, hi: number): number;
  /** Standard normal N(0, 1). */
  normal(): number;
  /** One element of a non-empty array. */
  pick<T>(items: readonly T[]): T;
  /** A copy of `items` in uniformly random order (Fisher–Yates: every order equally likely). */
  shuffle<T>(items: readonly T[]): T[];
}

/**
 * mulberry32: tiny, fast, and good enough for data generation, training and tests. Not for
 * a live class's secrets: its 32-bit state can be recovered from its outputs (the server
 * draws those from `server/rooms/secret-draws.ts`).
 */
export function createRng(seed: number): Rng {
  let a = seed >>> 0;
  return rngFromWords(() => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  });
}

/** An Rng over any source of uniform 32-bit words (mulberry32 here, a cipher's keystream on the server). */
export function rngFromWords(word: () => number): Rng {
  let spare: number | null = null;
  const next = (): number => word() / 4294967296;
  return {
    next,
    int(lo, hi) {
      return lo + Math.floor(next() * (hi - lo + 1));
    },
    normal() {
      if (spare !== null) {
        const s = spare;
        spare = null;
        return s;
      }
      // Box–Muller; 1 - u keeps the log argument in (0, 1].
      const u = 1 - next();
      const v = next();
      const r = Math.sqrt(-2 * Math.log(u));
      spare = r * Math.sin(2 * Math.PI * v);
      return r * Math.cos(2 * Math.PI * v);
    },
    pick(items) {
      if (items.length === 0) throw new Error('pick from an empty array');
      return items[Math.floor(next() * items.length)]!;
    },
    shuffle(items) {
      const out = [...items];
      for (let i = out.length - 1; i > 0; i--) {
        const j = Math.floor(next() * (i + 1));
        [out[i], out[j]] = [out[j]!, out[i]!];
      }
      return out;
    },
  };
}

/** Derives an independent seed from a base seed and a label, so streams do not overlap. */
export function deriveSeed(seed: number, label: string): number {
  let h = (seed ^ 0x9e3779b9) >>> 0;
  for (let i = 0; i < label.length; i++) {
    h = Math.imul(h ^ label.charCodeAt(i), 0x01000193) >>> 0;
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  return h >>> 0;
}

/**
 * Where one round draws its randomness: one stream per label, and the same label gives the
 * same sequence every time it is asked for (a round's render jobs and its question are
 * drawn twice from the same streams and must agree). A label per purpose keeps what a
 * client sees (image ids, preview seeds) in streams of its own, apart from the answer's.
 */
export interface RoundDraws {
  stream(label: string): Rng;
}

/** Each round's draws, by round index. */
export type DrawSource = (round: number) => RoundDraws;

/** Reproducible draws from a seed: tests, training, benchmarks and solo practice. */
export function seededDraws(seed: number): RoundDraws {
  return { stream: (label) => createRng(deriveSeed(seed, label)) };
}

/** Reproducible rounds from one game seed (round i from deriveSeed(seed, `round-i`)). */
export function seededSource(seed: number): DrawSource {
  return (round) => seededDraws(deriveSeed(seed >>> 0, `round-${round}`));
}
