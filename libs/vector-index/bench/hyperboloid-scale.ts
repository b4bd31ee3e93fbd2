// Hyperboloid search at scale: a random tree embedding (16-d, radii up to 18) of N points, recall@10 of the
// approximate search against exact hyperbolic search, and its speed. Usage: tsx --conditions=@hvs-nvm/source
// libs/vector-index/bench/hyperboloid-scale.ts [N=1000000] [QUERIES=200] [SPACE=lorentz64|lorentz|poincare]
// (lorentz64: new hyperboloid indexes, float64 coordinates; lorentz: float32 coordinates; poincare: the graph layout
// of older snapshots, searched by certified Euclidean balls).
import { VectorIndex } from '../src/index.js';
import { treeData } from '../testing/hyperbolic-data.js';

const N = Number(process.argv[2] ?? 1_000_000);
const QUERIES = Number(process.argv[3] ?? 200);
const DIM = 16;
const SPACE = process.argv[4] === 'poincare' ? 'poincare' : process.argv[4] === 'lorentz' ? 'lorentz' : 'lorentz64';

const t0 = performance.now();
const points = treeData(N + QUERIES, 17, 1.2, 18, DIM);
const queries = points.splice(N, QUERIES);
const radius = (p: Float32Array) => Math.asinh(Math.hypot(...p));
console.log(
  `${N} tree points of ${DIM}-d generated in ${((performance.now() - t0) / 1000).toFixed(1)} s; max radius ${Math.max(...points.slice(0, 10000).map(radius)).toFixed(1)}`,
);
const index = new VectorIndex({ dimension: DIM, geometry: 'hyperboloid', initialCapacity: N }, SPACE);
console.log(`graph space: ${SPACE}`);
let t = performance.now();
for (let i = 0; i < N; i++) {
  index.upsert(`p${i}`, points[i]!);
  if ((i + 1) % 100_000 === 0) console.log(`  inserted ${i + 1} (${((i + 1) / ((performance.now() - t) / 1000)).toFixed(0)}/s)`);
}
console.log(`built in ${((performance.now() - t) / 1000).toFixed(1)} s`);
t = performance.now();
const truth = queries.map((q) => index.search(q, 10, { exact: true }).map((h) => h.id));
const exactMs = (performance.now() - t) / QUERIES;
for (const ef of [64, 128]) {
  let found = 0;
  t = performance.now();
  const got = queries.map((q) => index.search(q, 10, { ef }).map((h) => h.id));
  const ms = (performance.now() - t) / QUERIES;
  got.forEach((ids, i) => (found += ids.filter((id) => truth[i]!.includes(id)).length));
  console.log(
    `ef ${ef}: recall@10 ${(found / (10 * QUERIES)).toFixed(3)}, ${ms.toFixed(2)} ms/query (exact: ${exactMs.toFixed(1)} ms/query, ${(exactMs / ms).toFixed(0)}x slower)`,
  );
}
