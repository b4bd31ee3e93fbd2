// Hyperboloid graph search on an embedding's own points (issue 17, item 4): a VectorIndex of the float64 points
// (the lorentz64 space, one graph search and an exact rescore) against raw hnswlib-node l2 search over the same
// points' Poincaré-ball images, each node's 10 nearest for a sample of nodes: queries/s (rounds interleaved) and
// recall@10 against exact float64 search.
import hnswlib from 'hnswlib-node';
import { lorentzToPoincare } from '@hvs-nvm/hvs';
import { VectorIndex } from '@hvs-nvm/vector-index';
import { now, summarise } from '../support/stats.js';
import { ratioRow, type BenchContext, type ResultRow } from '../support/context.js';

const K = 10;
const EF = 64;

/** `queries` seeded-spaced nodes of `vectors` searched `rounds` times through both; one row. */
export async function graphSearchRow(
  ctx: BenchContext,
  label: string,
  vectors: readonly Float64Array[],
  M = 16,
  queries = 500,
): Promise<ResultRow> {
  const n = vectors.length;
  const dimension = vectors[0]!.length;
  let t = now();
  const index = new VectorIndex({ dimension, geometry: 'hyperboloid', initialCapacity: n, M });
  await index.insertFresh(vectors.map((vector, i) => ({ id: String(i), vector })));
  const buildSeconds = (now() - t) / 1000;
  const raw = new hnswlib.HierarchicalNSW('l2', dimension);
  raw.initIndex(n, 16, 200, 100, false);
  raw.setEf(EF);
  const balls = vectors.map((v) => Array.from(lorentzToPoincare(v)));
  t = now();
  balls.forEach((b, i) => raw.addPoint(b, i));
  const rawBuildSeconds = (now() - t) / 1000;
  const step = Math.max(1, Math.floor(n / queries));
  const sample = vectors
    .map((_, i) => i)
    .filter((i) => i % step === 0)
    .slice(0, queries);
  const truth = sample.map((i) => new Set(index.search(vectors[i]!, K, { exact: true }).map((h) => Number(h.id))));
  const recall = (found: number[][]) => {
    let hit = 0;
    found.forEach((f, j) => (hit += f.filter((x) => truth[j]!.has(x)).length));
    return hit / (K * sample.length);
  };
  const ours: number[] = [];
  const theirs: number[] = [];
  let oursFound: number[][] = [];
  let rawFound: number[][] = [];
  for (const i of sample) index.search(vectors[i]!, K, { ef: EF }); // warm both
  for (const i of sample) raw.searchKnn(balls[i]!, K);
  for (let r = 0; r < Math.max(3, ctx.rounds); r++) {
    t = now();
    oursFound = sample.map((i) => index.search(vectors[i]!, K, { ef: EF }).map((h) => Number(h.id)));
    ours.push(sample.length / ((now() - t) / 1000));
    t = now();
    rawFound = sample.map((i) => raw.searchKnn(balls[i]!, K).neighbors);
    theirs.push(sample.length / ((now() - t) / 1000));
  }
  index.dispose();
  const [a, b] = [summarise(ours), summarise(theirs)];
  const [ra, rb] = [recall(oursFound), recall(rawFound)];
  const radius = Math.max(...vectors.map((v) => Math.asinh(Math.hypot(...v))));
  const ratio = a.median / b.median;
  const note =
    `${n} points, d ${dimension}, radii to ${radius.toFixed(1)}; ours M ${M}, raw M 16; ${sample.length} queries (every ${step}th node), k ${K}, ef ${EF}; ` +
    `recall@10 ours ${ra.toFixed(3)}, raw ${rb.toFixed(3)}; built in ${buildSeconds.toFixed(1)} s (raw ${rawBuildSeconds.toFixed(1)} s)`;
  ctx.log(
    `hierarchy: ${label}: graph search ${a.median.toFixed(0)} q/s vs raw l2 ${b.median.toFixed(0)} q/s (${ratio.toFixed(2)}×); ${note}`,
  );
  return ratioRow(
    'hierarchy',
    `${label}: hyperboloid graph search (lorentz64, M ${M}) vs raw hnswlib l2 (M 16) in the Poincaré ball`,
    'queries/s',
    a,
    b,
    {
      target: '≥ 0.8× raw, recall ≥ 0.99',
      pass: ratio >= 0.8 && ra >= 0.99,
      note,
      extra: { recall: ra, rawRecall: rb, buildSeconds, rawBuildSeconds, M },
    },
  );
}
