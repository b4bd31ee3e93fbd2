// The reranking hook: a function that scores the fused top candidates again (higher is better), and one offline
// implementation, cross-similarity with an Encoder: the whole query against the whole text, plus each query word
// against its nearest word of the text (late interaction, as ColBERT's MaxSim, with the encoder's word vectors).
import type { Encoder } from '@hvs-nvm/encoders';

export interface RerankCandidate {
  id: string;
  content: string;
  /** The fused (or single-list) score it had. */
  score: number;
}

/** New scores for the candidates, in their order (higher is better). */
export type Reranker = (query: string, candidates: readonly RerankCandidate[]) => Promise<number[]> | number[];

export interface CrossSimilarityOptions {
  /** Weight of cos(query, text) (default 1). */
  whole?: number;
  /** Weight of the mean over query words of their best cosine with a word of the text (default 1). */
  words?: number;
  /** Weight of the incoming order, 1 for the first candidate down to 0 for the last (default 1). */
  prior?: number;
  /** Most distinct words kept in the reranker's cache of word vectors (default 50 000). */
  cacheSize?: number;
}

const words = (text: string) =>
  [
    ...new Set(
      text
        .toLowerCase()
        .split(/[^\p{L}\p{N}]+/u)
        .filter((w) => w.length > 1),
    ),
  ].slice(0, 64);

function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}

/** A reranker that needs no model beyond `encoder` (the default sentence encoder works offline). */
export function crossSimilarityReranker(encoder: Encoder, options: CrossSimilarityOptions = {}): Reranker {
  const whole = options.whole ?? 1;
  const wordWeight = options.words ?? 1;
  const prior = options.prior ?? 1;
  const cacheSize = options.cacheSize ?? 50_000;
  const cache = new Map<string, Float32Array>();

  async function vectorsOf(list: string[]): Promise<Map<string, Float32Array>> {
    const missing = list.filter((w) => !cache.has(w));
    if (missing.length > 0) {
      const vs = await encoder.encodeBatch(missing);
      missing.forEach((w, i) => cache.set(w, vs[i]!));
      while (cache.size > cacheSize) cache.delete(cache.keys().next().value!);
    }
    return new Map(list.map((w) => [w, cache.get(w)!]));
  }

  return async (query, candidates) => {
    if (candidates.length === 0) return [];
    const [q, ...docs] = await encoder.encodeBatch([query, ...candidates.map((c) => c.content)]);
    const qWords = words(query);
    const docWords = candidates.map((c) => words(c.content));
    const wv = wordWeight > 0 ? await vectorsOf([...new Set([...qWords, ...docWords.flat()])]) : new Map<string, Float32Array>();
    return candidates.map((_c, i) => {
      let maxSim = 0;
      if (wordWeight > 0 && qWords.length > 0 && docWords[i]!.length > 0) {
        for (const qw of qWords) {
          let best = -1;
          for (const dw of docWords[i]!) best = Math.max(best, cosine(wv.get(qw)!, wv.get(dw)!));
          maxSim += best;
        }
        maxSim /= qWords.length;
      }
      const order = candidates.length > 1 ? 1 - i / (candidates.length - 1) : 1;
      return whole * cosine(q!, docs[i]!) + wordWeight * maxSim + prior * order;
    });
  };
}
