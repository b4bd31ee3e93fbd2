// Seeded synthetic vectors, exact (brute-force) k-NN ground truth and recall, shared by the scenarios.
import { seededRandom } from '@hvs-nvm/events';
import type { Geometry } from '@hvs-nvm/hvs';

/** The seeded generator every scenario draws from (mulberry32, @hvs-nvm/events), so every run benchmarks the same data. */
export const rng = seededRandom;

export function gaussian(rand: () => number): () => number {
  return () => {
    const u = Math.max(rand(), 1e-12);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
  };
}

/** n vectors of dimension d, row-major in one Float32Array. */
export interface VectorSet {
  n: number;
  d: number;
  data: Float32Array;
}

export function row(set: VectorSet, i: number): Float32Array {
  return set.data.subarray(i * set.d, (i + 1) * set.d);
}

/**
 * Gaussian mixture: `clusters` centres uniform in [-1,1]^d, points = centre + N(0, sigma²) per coordinate.
 * Embeddings have structure (low intrinsic dimension), unlike uniform noise, on which HNSW itself cannot
 * reach recall 0.95 at ef=64; sigma is chosen so that neighbours still cross clusters.
 */
export function mixture(n: number, d: number, seed: number, clusters = 256, sigma = 0.35): VectorSet {
  const rand = rng(seed);
  const g = gaussian(rand);
  const centres = new Float32Array(clusters * d);
  for (let i = 0; i < centres.length; i++) centres[i] = rand() * 2 - 1;
  const data = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    const c = Math.floor(rand() * clusters) * d;
    for (let j = 0; j < d; j++) data[i * d + j] = centres[c + j]! + g() * sigma;
  }
  return { n, d, data };
}

/** Uniform in [-1,1]^d: the worst case for any graph index (reported, not used for targets). */
export function uniform(n: number, d: number, seed: number): VectorSet {
  const rand = rng(seed);
  const data = new Float32Array(n * d);
  for (let i = 0; i < data.length; i++) data[i] = rand() * 2 - 1;
  return { n, d, data };
}

/**
 * Points for the hyperboloid: a direction from the mixture, scaled to a norm spread over [0.2, 4]
 * (hyperbolic radius asinh|x| up to ~2.1), so the set has both shallow and deep points.
 */
export function hyperbolicSet(n: number, d: number, seed: number): VectorSet {
  const base = mixture(n, d, seed);
  const rand = rng(seed ^ 0x5bd1e995);
  for (let i = 0; i < n; i++) {
    const v = row(base, i);
    let n2 = 0;
    for (let j = 0; j < d; j++) n2 += v[j]! * v[j]!;
    const target = 0.2 + 3.8 * rand() ** 2;
    const f = target / Math.sqrt(n2);
    for (let j = 0; j < d; j++) v[j] = v[j]! * f;
  }
  return base;
}

/**
 * A key that orders like the geometry's distance (smaller = nearer), cheap to compute:
 * euclidean: squared l2; spherical: −cos; hyperboloid: the Lorentz inner product −⟨x,y⟩_L = cosh d.
 */
function orderKey(geometry: Geometry, set: VectorSet, norms: Float64Array, q: Float32Array, qn2: number): (i: number) => number {
  const { d, data } = set;
  switch (geometry) {
    case 'euclidean':
      return (i) => {
        let s = 0;
        const o = i * d;
        for (let j = 0; j < d; j++) {
          const t = data[o + j]! - q[j]!;
          s += t * t;
        }
        return s;
      };
    case 'spherical': {
      const qn = Math.sqrt(qn2);
      return (i) => {
        let dot = 0;
        const o = i * d;
        for (let j = 0; j < d; j++) dot += data[o + j]! * q[j]!;
        return -dot / (Math.sqrt(norms[i]!) * qn);
      };
    }
    case 'hyperboloid': {
      const q0 = Math.sqrt(1 + qn2);
      return (i) => {
        let dot = 0;
        const o = i * d;
        for (let j = 0; j < d; j++) dot += data[o + j]! * q[j]!;
        return Math.sqrt(1 + norms[i]!) * q0 - dot;
      };
    }
  }
}

export function squaredNorms(set: VectorSet): Float64Array {
  const norms = new Float64Array(set.n);
  for (let i = 0; i < set.n; i++) {
    let s = 0;
    for (let j = 0; j < set.d; j++) s += set.data[i * set.d + j]! ** 2;
    norms[i] = s;
  }
  return norms;
}

/** Exact k nearest rows of `set` to each query (optionally among rows passing `keep`), by brute force. */
export function exactKnn(geometry: Geometry, set: VectorSet, queries: VectorSet, k: number, keep?: (i: number) => boolean): number[][] {
  const norms = squaredNorms(set);
  const out: number[][] = [];
  for (let qi = 0; qi < queries.n; qi++) {
    const q = row(queries, qi);
    let qn2 = 0;
    for (let j = 0; j < q.length; j++) qn2 += q[j]! * q[j]!;
    const key = orderKey(geometry, set, norms, q, qn2);
    // Bounded selection: keep the k best seen so far in a small sorted array.
    const bestI: number[] = [];
    const bestK: number[] = [];
    for (let i = 0; i < set.n; i++) {
      if (keep && !keep(i)) continue;
      const v = key(i);
      if (bestK.length === k && v >= bestK[k - 1]!) continue;
      let at = bestK.length === k ? k - 1 : bestK.length;
      if (bestK.length < k) {
        bestK.push(v);
        bestI.push(i);
      }
      while (at > 0 && bestK[at - 1]! > v) {
        bestK[at] = bestK[at - 1]!;
        bestI[at] = bestI[at - 1]!;
        at--;
      }
      bestK[at] = v;
      bestI[at] = i;
    }
    out.push(bestI);
  }
  return out;
}

/** Mean share of the true k nearest found among the returned ones. */
export function recallAt(k: number, found: number[][], truth: number[][]): number {
  let hit = 0;
  let total = 0;
  for (let q = 0; q < truth.length; q++) {
    const want = truth[q]!.slice(0, k);
    const got = new Set(found[q]!.slice(0, k));
    for (const t of want) if (got.has(t)) hit++;
    total += want.length;
  }
  return total === 0 ? 1 : hit / total;
}

/** A ~200-byte JSON message body, the same for our path and the raw baseline. */
export function messageBody(seq: number): { seq: number; sentAtMs: number; task: string; payload: string } {
  return {
    seq,
    sentAtMs: performance.now(),
    task: 'analyze',
    payload: `document ${seq} of the benchmark mailbox; `.padEnd(130, 'lorem ipsum dolor sit amet '),
  };
}
