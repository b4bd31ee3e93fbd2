// Riemannian SGD in the Lorentz model (Nickel & Kiela 2018) on the closure pairs with the softmax ranking loss of
// Nickel & Kiela 2017: each pair (u, v) against sampled non-neighbours v' of u, −log e^{−d(u,v)} / Σ e^{−d(u,v')}.
import { hasSorted, type Hierarchy } from './graph.js';
import { capRadius, expMapInPlace, storedGap } from './lorentz.js';
import type { Random } from './random.js';

export interface TrainOptions {
  readonly epochs: number;
  readonly learningRate: number;
  readonly negatives: number;
  /** The first epochs run at learningRate / 10 (the papers' burn-in) so early random placements settle gently. */
  readonly burnInEpochs: number;
  /** Largest tangent step of one update (keeps a rare huge gradient from throwing a point to infinity). */
  readonly maxStep: number;
  /** Points are kept within this distance of the origin (float64 coordinates overflow near 710; RSGD in the plane drifts outward). */
  readonly maxRadius: number;
  readonly onEpoch?: (epoch: number, meanLoss: number) => void | Promise<void>;
}

/** Trains `points` (n × (d+1), on the hyperboloid) in place. */
export async function train(h: Hierarchy, points: Float64Array, dim1: number, random: Random, options: TrainOptions): Promise<void> {
  const n = h.nodes.length;
  const pairs = h.closure.length / 2;
  const order = new Int32Array(pairs);
  for (let i = 0; i < pairs; i++) order[i] = i;
  const k1 = options.negatives + 1;
  const targets = new Int32Array(k1);
  const gaps = new Float64Array(k1);
  const weights = new Float64Array(k1);
  const gradU = new Float64Array(dim1);
  const step = new Float64Array(dim1);
  for (let epoch = 0; epoch < options.epochs; epoch++) {
    const lr = epoch < options.burnInEpochs ? options.learningRate / 10 : options.learningRate;
    for (let i = pairs - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      const t = order[i]!;
      order[i] = order[j]!;
      order[j] = t;
    }
    let lossSum = 0;
    for (let e = 0; e < pairs; e++) {
      const p = order[e]!;
      // The child is the anchor and its non-ancestors the negatives, as reconstruction ranks them.
      const u = h.closure[2 * p]!;
      targets[0] = h.closure[2 * p + 1]!;
      const nb = h.ancestors[u]!;
      let count = 1;
      for (let tries = 0; count < k1 && tries < 4 * k1; tries++) {
        const w = Math.floor(random() * n);
        if (w !== u && !hasSorted(nb, w)) targets[count++] = w;
      }
      const iu = u * dim1;
      let maxNeg = -Infinity;
      for (let j = 0; j < count; j++) {
        const g = storedGap(points, iu, points, targets[j]! * dim1, dim1);
        gaps[j] = g;
        const d = Math.log1p(g + Math.sqrt(g * (g + 2)));
        weights[j] = -d;
        if (-d > maxNeg) maxNeg = -d;
      }
      let z = 0;
      for (let j = 0; j < count; j++) z += Math.exp(weights[j]! - maxNeg);
      lossSum += -(weights[0]! - maxNeg) + Math.log(z);
      // dL/dd_j = [j = 0] − p_j; dd/dα = 1/√(α² − 1) with α − 1 = gap.
      for (let j = 0; j < count; j++) {
        const pj = Math.exp(weights[j]! - maxNeg) / z;
        const g = gaps[j]!;
        weights[j] = ((j === 0 ? 1 : 0) - pj) / Math.sqrt(Math.max(g * (g + 2), 1e-12));
      }
      // Riemannian gradient of α = −⟨u,v⟩_L at u is −v + α u; at v it is −u + α v.
      gradU.fill(0);
      for (let j = 0; j < count; j++) {
        const iv = targets[j]! * dim1;
        const w = weights[j]!;
        const alpha = 1 + gaps[j]!;
        for (let k = 0; k < dim1; k++) gradU[k]! += w * (alpha * points[iu + k]! - points[iv + k]!);
      }
      for (let j = 0; j < count; j++) {
        const iv = targets[j]! * dim1;
        const w = weights[j]!;
        const alpha = 1 + gaps[j]!;
        for (let k = 0; k < dim1; k++) step[k] = -lr * w * (alpha * points[iv + k]! - points[iu + k]!);
        clip(step, dim1, options.maxStep);
        expMapInPlace(points, iv, step, dim1);
        capRadius(points, iv, dim1, options.maxRadius);
      }
      for (let k = 0; k < dim1; k++) step[k] = -lr * gradU[k]!;
      clip(step, dim1, options.maxStep);
      expMapInPlace(points, iu, step, dim1);
      capRadius(points, iu, dim1, options.maxRadius);
      if ((e & 0xffff) === 0xffff) await new Promise((r) => setImmediate(r));
    }
    await options.onEpoch?.(epoch + 1, lossSum / pairs);
  }
}

/** Scales a tangent vector down to Lorentz norm `max` if it is longer. */
function clip(v: Float64Array, dim1: number, max: number): void {
  let n2 = -v[0]! * v[0]!;
  for (let k = 1; k < dim1; k++) n2 += v[k]! * v[k]!;
  if (n2 > max * max) {
    const s = max / Math.sqrt(n2);
    for (let k = 0; k < dim1; k++) v[k]! *= s;
  }
}
