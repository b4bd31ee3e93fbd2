// attraction: the sibling pairs and leans that off-tree closure pairs ask for, and the cone layout that honours them.
import { describe, expect, it } from 'vitest';
import { attraction } from './attraction.js';
import { spanningTree } from './cones.js';
import { embedHierarchy } from './embed.js';
import { buildHierarchy, type Edge } from './graph.js';
import { hyperboloidDistance } from './lorentz.js';

describe('attraction', () => {
  it('pairs the LCA children of an off-tree link and leans both chains towards each other', () => {
    // r → A → A1 → X, r → B, and X also under B: X's tree parent is A1 (deeper), so (X, B) is off its tree path.
    const h = buildHierarchy([
      ['A', 'r'],
      ['A1', 'A'],
      ['X', 'A1'],
      ['B', 'r'],
      ['X', 'B'],
    ]);
    const id = (name: string) => h.index.get(name)!;
    const { parent } = spanningTree(h);
    expect(parent[id('X')]).toBe(id('A1'));
    const a = attraction(h, parent);
    expect([...a.siblings[id('B')]!]).toEqual([[id('A'), 1]]);
    expect([...a.siblings[id('A')]!]).toEqual([[id('B'), 1]]);
    expect([...a.lean[id('X')]!]).toEqual([[id('B'), 1]]);
    expect([...a.lean[id('A1')]!]).toEqual([[id('B'), 1]]);
    expect(a.lean[id('A')]!.size).toBe(0);
    expect(Array.from(a.offTree)).toEqual(h.nodes.map((name) => (name === 'B' ? 1 : 0)));
  });
});

describe('cone layout on a DAG', () => {
  // A root with 40 children c0..c39, each with 3 children; x sits under c0's first child and also under c20.
  const edges: Edge[] = [];
  for (let i = 0; i < 40; i++) {
    edges.push([`c${i}`, 'root']);
    for (let j = 0; j < 3; j++) edges.push([`c${i}.${j}`, `c${i}`]);
  }
  edges.push(['x', 'c0.0'], ['x', 'c20']);

  /** 1 + the non-ancestors of x closer to it than `ancestor`; and the worst rank of x's tree ancestors. */
  async function ranks(options: { seatOffTree: boolean; offTreeDrop: number }) {
    const e = await embedHierarchy(edges, { dimension: 5, ...options });
    const at = new Map(e.nodes.map((n, i) => [n, e.vectors[i]!]));
    const ancestors = new Set(['c0.0', 'c0', 'root', 'c20']);
    const d = (name: string) => hyperboloidDistance(at.get('x')!, at.get(name)!);
    const others = e.nodes.filter((n) => n !== 'x' && !ancestors.has(n)).map(d);
    const rank = (name: string) => 1 + others.filter((o) => o < d(name)).length;
    return { offTree: rank('c20'), tree: Math.max(rank('c0.0'), rank('c0'), rank('root')) };
  }

  it('seats the off-tree ancestor beside the path, and the drop brings it closer, tree ancestors still first', async () => {
    const plain = await ranks({ seatOffTree: false, offTreeDrop: 0 });
    const seated = await ranks({ seatOffTree: true, offTreeDrop: 0 });
    const dropped = await ranks({ seatOffTree: true, offTreeDrop: 0.3 });
    expect(plain.tree).toBe(1);
    expect(seated.tree).toBe(1);
    expect(dropped.tree).toBe(1);
    expect(seated.offTree).toBeLessThan(plain.offTree);
    expect(dropped.offTree).toBeLessThanOrEqual(seated.offTree);
  });
});
