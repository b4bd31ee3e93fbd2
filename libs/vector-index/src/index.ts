// Public face of @hvs-nvm/vector-index: the vector index, the distance maths of the three geometries, and their errors.
export { VectorIndex } from './vector-index.js';
export { VectorIndexOptionsSchema, type VectorIndexOptions, type SearchHit, type SearchOptions } from './index-options.js';
export * from './geometry.js';
export * from './errors.js';
export { PayloadIndex, type PayloadQuery, type PayloadScalar, type PayloadCandidates } from './payload-index.js';
