/**
 * k-nearest-neighbour vote in a standardised feature space (each dimension divided by its
 * spread in the fitting set): the simplest classifier that needs no training loop. Ties go
 * to the class of the nearest neighbour among the tied classes.
 */
export class Knn {
  private readonly points: readonly Float64Array[];
  private readonly labels: readonly number[];
  private readonly scale: Float64Array;
  private readonly k: number;

  private constructor(points: readonly Float64Array[], labels: readonly number[], scale: Float64Array, k: number) {
    this.points = points;
    this.labels = labels;
    this.scale = scale;
    this.k = k;
  }

  static fit(vectors: readonly number[][], labels: readonly number[], k: number): Knn {
    if (vectors.length === 0) throw new Error('Knn.fit needs at least one example');
    if (vectors.length !== labels.length) throw new Error('Knn.fit: one label per vector');
    const d = vectors[0]!.length;
    const scale = new Float64Array(d);
    for (let j = 0; j < d; j++) {
      const mean = vectors.reduce((s, v) => s + v[j]!, 0) / vectors.length;
      const sd = Math.sqrt(vectors.reduce((s, v) => s + (v[j]! - mean) ** 2, 0) / vectors.length);
      scale[j] = sd > 1e-9 ? 1 / sd : 1;
    }
    const points = vectors.map((v) => Float64Array.from(v, (x, j) => x * scale[j]!));
    return new Knn(points, labels, scale, Math.min(k, vectors.length));
  }

  predict(vector: readonly number[]): number {
    const q = Float64Array.from(vector, (x, j) => x * this.scale[j]!);
    // The k smallest distances, kept sorted (k is small).
    const bestD: number[] = [];
    const bestL: number[] = [];
    for (let i = 0; i < this.points.length; i++) {
      const p = this.points[i]!;
      let d = 0;
      for (let j = 0; j < q.length; j++) d += (p[j]! - q[j]!) ** 2;
      if (bestD.length === this.k && d >= bestD[this.k - 1]!) continue;
      let at = bestD.length;
      while (at > 0 && bestD[at - 1]! > d) at--;
      bestD.splice(at, 0, d);
      bestL.splice(at, 0, this.labels[i]!);
      if (bestD.length > this.k) {
        bestD.pop();
        bestL.pop();
      }
    }
    const votes = new Map<number, number>();
    for (const l of bestL) votes.set(l, (votes.get(l) ?? 0) + 1);
    const top = Math.max(...votes.values());
    // bestL is nearest first: the first label with the top vote wins.
    return bestL.find((l) => votes.get(l) === top)!;
  }
}
