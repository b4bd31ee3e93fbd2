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

/**
 * A random tree far out, in float64 and without cancellation (radii to ~`edge`·log₃ n): three children per node,
 * each `edge` from its parent on a geodesic leaving at an angle φ ≤ `spread` from the outward ray; the child's radius
 * from the hyperbolic law of cosines, its angle α at the origin from the law of sines, its direction u cos α + w sin α
 * (w ⊥ u). Spatial coordinates x, shuffled.
 */
export function deepTreeData(n: number, seed: number, edge = 4.5, dim = 16, spread = 0.6): Float64Array[] {
  const random = rng(seed);
  const g = gaussian(random);
  const unit = (v: Float64Array): Float64Array => {
    const norm = Math.hypot(...v);
    return v.map((c) => c / norm);
  };
  const nodes: { r: number; u: Float64Array }[] = [{ r: 0, u: unit(Float64Array.from({ length: dim }, g)) }];
  for (let head = 0; nodes.length < n; head++) {
    const { r, u } = nodes[head]!;
    for (let c = 0; c < 3 && nodes.length < n; c++) {
      const phi = r === 0 ? 0 : random() * spread;
      const child = Math.acosh(Math.cosh(r) * Math.cosh(edge) + Math.sinh(r) * Math.sinh(edge) * Math.cos(phi));
      const w = Float64Array.from({ length: dim }, g);
      let dot = 0;
      for (let i = 0; i < dim; i++) dot += w[i]! * u[i]!;
      const wt = unit(w.map((x, i) => x - dot * u[i]!));
      const alpha = r === 0 ? Math.PI / 2 : Math.asin((Math.sinh(edge) * Math.sin(phi)) / Math.sinh(child));
      nodes.push({ r: child, u: r === 0 ? wt : unit(u.map((x, i) => x * Math.cos(alpha) + wt[i]! * Math.sin(alpha))) });
    }
  }
  for (let i = nodes.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [nodes[i], nodes[j]] = [nodes[j]!, nodes[i]!];
  }
  return nodes.map(({ r, u }) => u.map((c) => c * Math.sinh(r)));
}
