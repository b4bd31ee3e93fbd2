// Which way each node of the spanning tree should lean so that its off-tree ancestors end up beside its path.
//
// A closure pair (u, b) whose ancestor b is not on u's spanning-tree path meets u's path at the tree LCA L of u and b:
// b hangs below L's child y_b, u below L's child y_u ≠ y_b. The cone layout ranks b for u by b's distance from u's
// root path, so placing y_b next to y_u among L's children, and leaning the rest of b's chain (below y_b) towards
// y_u and u's chain (below y_u) towards y_b, brings b near u's path without touching the cones' separation.
import type { Hierarchy } from './graph.js';

export interface Attraction {
  /** For each node y, siblings it should sit next to, with how many closure pairs ask for it. */
  readonly siblings: Map<number, number>[];
  /** For each node z, nodes (placed before z) it should lean towards, with weights. */
  readonly lean: Map<number, number>[];
  /** For each node, how many closure pairs have it as an ancestor off the child's tree path. */
  readonly offTree: Int32Array;
}

export function attraction(h: Hierarchy, parent: Int32Array): Attraction {
  const n = h.nodes.length;
  const siblings: Map<number, number>[] = Array.from({ length: n }, () => new Map());
  const lean: Map<number, number>[] = Array.from({ length: n }, () => new Map());
  const offTree = new Int32Array(n);
  const stamp = new Int32Array(n).fill(-1);
  const below = new Int32Array(n); // on u's path: the path node just below (towards u)
  const add = (m: Map<number, number>, k: number) => m.set(k, (m.get(k) ?? 0) + 1);
  for (let u = 0; u < n; u++) {
    const anc = h.ancestors[u]!;
    if (anc.length === 0) continue;
    let prev = u;
    stamp[u] = u;
    for (let x = parent[u]!; x >= 0; x = parent[x]!) {
      stamp[x] = u;
      below[x] = prev;
      prev = x;
    }
    for (const b of anc) {
      if (stamp[b] === u) continue; // on the path
      offTree[b]!++;
      let yb = b;
      while (parent[yb]! >= 0 && stamp[parent[yb]!] !== u) yb = parent[yb]!;
      const lca = parent[yb]!;
      if (lca < 0) continue; // different roots
      const yu = below[lca]!;
      add(siblings[yb]!, yu);
      add(siblings[yu]!, yb);
      for (let z = b; z !== yb; z = parent[z]!) add(lean[z]!, yu);
      for (let z = u; z !== yu; z = parent[z]!) add(lean[z]!, yb);
    }
  }
  return { siblings, lean, offTree };
}
