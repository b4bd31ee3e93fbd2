// embedHierarchy: a DAG of [child, parent] pairs → hyperboloid vectors (cone construction, optional Lorentz RSGD).
import { z } from 'zod';
import { coneLayout } from './cones.js';
import { construct } from './construct.js';
import { InvalidHyperbolicOptionError } from './errors.js';
import { buildHierarchy, type Edge } from './graph.js';
import { seededRandom } from './random.js';
import { train } from './train.js';

export interface EmbedProgress {
  readonly phase: 'construct' | 'train' | 'done';
  readonly epoch: number;
  readonly epochs: number;
  /** Mean ranking loss of the last epoch (NaN before training). */
  readonly loss: number;
}

export const EmbedOptionsSchema = z.object({
  dimension: z.number().int().min(2).max(1024),
  seed: z.number().int().default(1),
  /** Riemannian SGD passes over the closure after the layout; default 0 for d ≥ 3 (the cone layout), more for d = 2. */
  epochs: z.number().int().min(0).max(100_000).optional(),
  learningRate: z.number().positive().default(0.1),
  negatives: z.number().int().min(1).max(1000).default(50),
  burnInEpochs: z.number().int().min(0).default(10),
  radialStep: z.number().positive().default(1),
  spread: z.number().positive().default(1),
  /** Cone layout (d ≥ 3): extra skeleton edge length, and the room a child subtree needs (see cones.ts). */
  margin: z.number().positive().default(0.3),
  capFactor: z.number().min(1).default(3),
  /**
   * DAGs (d ≥ 3): seat a node's off-tree ancestors beside its spanning-tree path (attraction.ts), and lift every
   * off-tree ancestor this much less than its skeleton radius so it ranks closer; 0 turns the lift off. Keep it ≤
   * margin: beyond, a node outranks its siblings' true ancestors.
   */
  offTreeDrop: z.number().min(0).default(0.3),
  seatOffTree: z.boolean().default(true),
  maxStep: z.number().positive().default(1),
  /** Training keeps points within this distance of the origin (the cone layout's own radii are not cut). */
  maxRadius: z.number().positive().max(700).default(60),
});

export type EmbedOptions = z.input<typeof EmbedOptionsSchema> & {
  readonly onProgress?: (progress: EmbedProgress) => void | Promise<void>;
};

export interface HierarchyEmbedding {
  readonly nodes: string[];
  /** vectors[i]: the spatial part x of nodes[i]'s point (√(1+|x|²), x). */
  readonly vectors: Float64Array[];
  /** Longest path from a root, per node. */
  readonly depths: number[];
}

/** Default epochs in the plane: small hierarchies get many passes, big ones few (743k pairs: ~10 s a pass). */
function defaultEpochs(pairs: number): number {
  return Math.max(5, Math.min(200, Math.round(1.3e6 / Math.max(pairs, 1))));
}

export async function embedHierarchy(edges: ReadonlyArray<Edge>, options: EmbedOptions): Promise<HierarchyEmbedding> {
  const parsed = EmbedOptionsSchema.safeParse(options);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const key = issue.path.join('.') || 'options';
    throw new InvalidHyperbolicOptionError(key, (options as Record<string, unknown>)[key], issue.message);
  }
  const o = parsed.data;
  const h = buildHierarchy(edges);
  const random = seededRandom(o.seed);
  const dim1 = o.dimension + 1;
  const cones = o.dimension >= 3;
  const epochs = o.epochs ?? (cones ? 0 : defaultEpochs(h.closure.length / 2));
  await options.onProgress?.({ phase: 'construct', epoch: 0, epochs, loss: Number.NaN });
  const points = cones
    ? coneLayout(h, o.dimension, random, {
        margin: o.margin,
        capFactor: o.capFactor,
        candidatesPerChild: 8,
        hug: o.seatOffTree,
        drop: o.offTreeDrop,
      })
    : construct(h, o.dimension, random, { radialStep: o.radialStep, spread: o.spread });
  await train(h, points, dim1, random, {
    epochs,
    learningRate: o.learningRate,
    negatives: o.negatives,
    burnInEpochs: Math.min(o.burnInEpochs, epochs),
    maxStep: o.maxStep,
    maxRadius: o.maxRadius,
    onEpoch: (epoch, loss) => options.onProgress?.({ phase: 'train', epoch, epochs, loss }),
  });
  const vectors = h.nodes.map((_, i) => points.slice(i * dim1 + 1, (i + 1) * dim1));
  await options.onProgress?.({ phase: 'done', epoch: epochs, epochs, loss: Number.NaN });
  return { nodes: h.nodes, vectors, depths: Array.from(h.depth) };
}
