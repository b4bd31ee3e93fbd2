// Public face of @hvs-nvm/fulltext: a BM25 index of text documents and the projection that keeps one from an event log.
export { FullTextIndex, type TextDocument, type TextHit, type TextSearchOptions } from './full-text-index.js';
export {
  FullTextProjection,
  type TextChange,
  type TextMapper,
  type FullTextSource,
  type OpenFullTextOptions,
  type BuildFullTextOptions,
} from './full-text-projection.js';
