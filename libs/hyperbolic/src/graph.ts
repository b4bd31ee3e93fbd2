// A hierarchy as integer arrays: node names, direct parents, depths, the transitive closure and its neighbour sets.
import { InvalidHierarchyError } from './errors.js';

export type Edge = readonly [child: string, parent: string];

export interface Hierarchy {
  readonly nodes: string[];
  readonly index: Map<string, number>;
  /** Direct parents of each node (duplicates removed); a closure given as input keeps its extra links here too. */
  readonly parents: number[][];
  /** Longest path to a root (roots have depth 0). */
  readonly depth: Int32Array;
  /** Nodes sorted by depth, roots first (a topological order). */
  readonly order: Int32Array;
  /** Closure pairs as flat [child, ancestor, child, ancestor, ...]. */
  readonly closure: Int32Array;
  /** For each node, its ancestors in the closure (sorted). */
  readonly ancestors: Int32Array[];
  /** For each node, its ancestors and descendants in the closure (sorted), the "neighbours" of reconstruction. */
  readonly neighbours: Int32Array[];
}

/** Validates the edge list and builds the hierarchy; throws `InvalidHierarchyError` on malformed pairs or cycles. */
export function buildHierarchy(edges: ReadonlyArray<Edge>, names?: ReadonlyArray<string>): Hierarchy {
  if (!Array.isArray(edges)) throw new InvalidHierarchyError('edges must be an array of [child, parent] pairs');
  const index = new Map<string, number>();
  const nodes: string[] = [];
  const id = (name: string) => {
    let i = index.get(name);
    if (i === undefined) {
      i = nodes.length;
      index.set(name, i);
      nodes.push(name);
    }
    return i;
  };
  for (const n of names ?? []) id(n);
  const parentSets: Set<number>[] = [];
  edges.forEach((e, k) => {
    if (!Array.isArray(e) || e.length !== 2 || typeof e[0] !== 'string' || typeof e[1] !== 'string' || !e[0] || !e[1])
      throw new InvalidHierarchyError(`edge ${k} is not a [child, parent] pair of non-empty strings`);
    if (e[0] === e[1]) throw new InvalidHierarchyError(`edge ${k} is a self-loop on '${e[0]}'`);
    const c = id(e[0]);
    const p = id(e[1]);
    while (parentSets.length < nodes.length) parentSets.push(new Set());
    parentSets[c]!.add(p);
  });
  while (parentSets.length < nodes.length) parentSets.push(new Set());
  if (nodes.length < 2) throw new InvalidHierarchyError('a hierarchy needs at least one edge');
  const n = nodes.length;
  const parents = parentSets.map((s) => [...s]);

  // Depth by longest path, iteratively (WordNet is 20 deep, but user data may be a long chain).
  const depth = new Int32Array(n).fill(-1);
  const state = new Uint8Array(n); // 0 new, 1 on stack, 2 done
  for (let s = 0; s < n; s++) {
    if (state[s] === 2) continue;
    const stack: number[] = [s];
    while (stack.length > 0) {
      const u = stack[stack.length - 1]!;
      if (state[u] === 0) {
        state[u] = 1;
        for (const p of parents[u]!) {
          if (state[p] === 1) throw new InvalidHierarchyError(`the edges have a cycle through '${nodes[p]!}'`);
          if (state[p] === 0) stack.push(p);
        }
      } else {
        stack.pop();
        if (state[u] === 2) continue;
        let d = 0;
        for (const p of parents[u]!) d = Math.max(d, depth[p]! + 1);
        depth[u] = d;
        state[u] = 2;
      }
    }
  }
  const order = Int32Array.from(nodes.keys()).sort((a, b) => depth[a]! - depth[b]!);

  // Ancestor sets in topological order (each node's set is the union of its parents' sets plus the parents).
  const ancestors: Int32Array[] = new Array(n);
  const mark = new Int32Array(n).fill(-1);
  for (const u of order) {
    const acc: number[] = [];
    for (const p of parents[u]!) {
      if (mark[p] !== u) {
        mark[p] = u;
        acc.push(p);
      }
      for (const a of ancestors[p]!) {
        if (mark[a] !== u) {
          mark[a] = u;
          acc.push(a);
        }
      }
    }
    ancestors[u] = Int32Array.from(acc).sort();
  }
  let total = 0;
  for (const a of ancestors) total += a.length;
  const closure = new Int32Array(2 * total);
  const counts = new Int32Array(n);
  let at = 0;
  for (let u = 0; u < n; u++) {
    for (const a of ancestors[u]!) {
      closure[at++] = u;
      closure[at++] = a;
      counts[a]!++;
    }
    counts[u]! += ancestors[u]!.length;
  }
  const neighbours = Array.from({ length: n }, (_, u) => new Int32Array(counts[u]!));
  const fill = new Int32Array(n);
  for (let k = 0; k < closure.length; k += 2) {
    const u = closure[k]!;
    const a = closure[k + 1]!;
    neighbours[u]![fill[u]!++] = a;
    neighbours[a]![fill[a]!++] = u;
  }
  for (const s of neighbours) s.sort();
  return { nodes, index, parents, depth, order, closure, ancestors, neighbours };
}

/** Binary search in a sorted Int32Array. */
export function hasSorted(list: Int32Array, value: number): boolean {
  let lo = 0;
  let hi = list.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const v = list[mid]!;
    if (v === value) return true;
    if (v < value) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}
