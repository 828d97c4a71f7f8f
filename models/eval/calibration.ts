/**
 * Calibration of a probability model (the neural D): Platt scaling, p = σ(a·ℓ + b) on the
 * model's logit ℓ, fitted by Newton's method on held-out data; and the figures that say
 * whether probabilities can be taken at their word: accuracy, log loss and the expected
 * calibration error (ECE, Guo et al. 2017: the mean |accuracy − confidence| over 10 equal
 * bins of the predicted probability, weighted by how many predictions fall in each).
 */
export interface Platt {
  a: number;
  b: number;
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/** Fits a, b to maximise the likelihood of the labels (1 = real), with a whisper of L2 so separable data stays finite. */
export function fitPlatt(logits: readonly number[], labels: readonly boolean[], iterations = 50): Platt {
  if (logits.length !== labels.length || logits.length === 0) throw new Error('fitPlatt: one label per logit');
  let a = 1;
  let b = 0;
  const ridge = 1e-3;
  for (let it = 0; it < iterations; it++) {
    // Gradient and Hessian of the mean negative log-likelihood (+ ridge/2 · a²).
    let ga = ridge * a;
    let gb = 0;
    let haa = ridge;
    let hab = 0;
    let hbb = 1e-9;
    const n = logits.length;
    for (let i = 0; i < n; i++) {
      const x = logits[i]!;
      const p = sigmoid(a * x + b);
      const r = (p - (labels[i] ? 1 : 0)) / n;
      const w = (p * (1 - p)) / n;
      ga += r * x;
      gb += r;
      haa += w * x * x;
      hab += w * x;
      hbb += w;
    }
    const det = haa * hbb - hab * hab;
    if (!(det > 0)) break;
    const da = (hbb * ga - hab * gb) / det;
    const db = (haa * gb - hab * ga) / det;
    a -= da;
    b -= db;
    if (Math.abs(da) + Math.abs(db) < 1e-10) break;
  }
  return { a, b };
}

export function applyPlatt(logit: number, platt: Platt): number {
  return sigmoid(platt.a * logit + platt.b);
}

export interface CalibrationFigures {
  accuracy: number;
  logLoss: number;
  ece: number;
}

export function calibrationFigures(probs: readonly number[], labels: readonly boolean[], bins = 10): CalibrationFigures {
  const eps = 1e-7;
  let right = 0;
  let loss = 0;
  const count = new Array<number>(bins).fill(0);
  const hits = new Array<number>(bins).fill(0);
  const conf = new Array<number>(bins).fill(0);
  probs.forEach((p, i) => {
    const y = labels[i]!;
    if (p >= 0.5 === y) right++;
    loss -= Math.log(Math.min(1 - eps, Math.max(eps, y ? p : 1 - p)));
    const k = Math.min(bins - 1, Math.floor(p * bins));
    count[k]!++;
    hits[k]! += y ? 1 : 0;
    conf[k]! += p;
  });
  const n = probs.length;
  let ece = 0;
  for (let k = 0; k < bins; k++) if (count[k]! > 0) ece += (count[k]! / n) * Math.abs(hits[k]! / count[k]! - conf[k]! / count[k]!);
  return { accuracy: right / n, logLoss: loss / n, ece };
}
