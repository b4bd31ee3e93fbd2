// Public face of @hvs-nvm/hyperbolic: embed a hierarchy in the hyperboloid model, measure its reconstruction.
export { embedHierarchy, EmbedOptionsSchema, type EmbedOptions, type EmbedProgress, type HierarchyEmbedding } from './embed.js';
export { reconstruction, type Embedding, type ReconstructionOptions, type ReconstructionResult } from './reconstruction.js';
export type { Edge } from './graph.js';
export { hyperboloidDistance, arcosh1p } from './lorentz.js';
export {
  readWordNetNouns,
  wordNetClosure,
  subtreeClosure,
  mammalClosure,
  MAMMALS_FILTER,
  transitiveClosure,
  type WordNetNouns,
} from './wordnet.js';
export { HyperbolicError, InvalidHierarchyError, InvalidHyperbolicOptionError } from './errors.js';
