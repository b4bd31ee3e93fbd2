// Test and benchmark data for hyperbolic geometry: a reproducible generator and random tree embeddings.

export function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4294967296;
  };
}

export function gaussian(random: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(random() + 1e-300)) * Math.cos(2 * Math.PI * random());
}

/**
 * A random tree embedded in the hyperboloid: each child sits at hyperbolic distance `edge` from its
 * parent along a geodesic in a random direction, so depth tracks radius (up to ~`maxRadius`).
 * Returns the spatial coordinates x of the Lorentz points (√(1+|x|²), x), shuffled.
 */
export function treeData(n: number, seed: number, edge = 1.2, maxRadius = 18, dim = 16): Float32Array[] {
  const random = rng(seed);
  const g = gaussian(random);
  const root = new Float64Array(dim + 1);
  root[0] = 1;
  const nodes: Float64Array[] = [root];
  // A FIFO by index: Array.shift is O(n) per call, quadratic at a million nodes.
  const queue: Float64Array[] = [root];
  let head = 0;
  while (nodes.length < n) {
    const parent = (head < queue.length ? queue[head++] : undefined) ?? nodes[Math.floor(random() * nodes.length)]!;
    const children = 1 + Math.floor(random() * 2);
    for (let c = 0; c < children && nodes.length < n; c++) {
      // A unit tangent vector at the parent: project a random vector onto the parent's Lorentz-orthogonal complement.
      const w = Float64Array.from({ length: dim + 1 }, g);
      let ip = -parent[0]! * w[0]!;
      for (let i = 1; i <= dim; i++) ip += parent[i]! * w[i]!;
      for (let i = 0; i <= dim; i++) w[i] = w[i]! + ip * parent[i]!;
      let norm = -w[0]! * w[0]!;
      for (let i = 1; i <= dim; i++) norm += w[i]! * w[i]!;
      norm = Math.sqrt(norm);
      const child = new Float64Array(dim + 1);
      let s = 0;
      for (let i = 1; i <= dim; i++) {
        child[i] = Math.cosh(edge) * parent[i]! + (Math.sinh(edge) * w[i]!) / norm;
        s += child[i]! * child[i]!;
      }
      child[0] = Math.sqrt(1 + s); // back onto the hyperboloid, so rounding does not drift with depth
      if (Math.acosh(child[0]) > maxRadius) continue;
      nodes.push(child);
      queue.push(child);
    }
  }
  for (let i = nodes.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [nodes[i], nodes[j]] = [nodes[j]!, nodes[i]!];
  }
  return nodes.map((p) => Float32Array.from(p.subarray(1)));
}
