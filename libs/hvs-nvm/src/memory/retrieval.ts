// Memory search: dense (the HVS index of memory vectors), keyword (BM25 over the full-text projection of memory
// blocks) or hybrid (both fused by reciprocal rank), the same metadata filter and scope applied to each; optionally
// NVM blocks of every class as a third list, and an optional reranker over the fused top.
import { z } from 'zod';
import { compileFilter, distance, type HVS, type Metadata } from '@hvs-nvm/hvs';
import { BlockNotFoundError, InvalidArgumentError, type NVM } from '@hvs-nvm/nvm';
import type { Encoder } from '@hvs-nvm/encoders';
import type { FullTextProjection } from '@hvs-nvm/fulltext';
import { createLogger } from '@hvs-nvm/runtime';
import { NonBlankText, parseInput, parseOptions } from '../input.js';
import { DEFAULT_RRF_K, reciprocalRankFusion, type RankedList } from './fusion.js';
import type { Memories } from './memories.js';
import type { MemoryTextFields } from './memory-text.js';
import { memoryIdOfBlock } from './memory-text.js';
import { combinedFilter, ReadScopeSchema, scopeOf, type MemoryScope, type ReadScope } from './scope.js';
import type { Reranker } from './reranker.js';

export type QueryMode = 'hybrid' | 'dense' | 'keyword';

export interface QueryOptions extends ReadScope {
  k?: number;
  /** hybrid (default): dense and keyword fused by RRF; dense: by meaning only; keyword: BM25 only. */
  mode?: QueryMode;
  /** A metadata filter on the memories (the vector filter language), applied to every list. */
  filter?: Record<string, unknown>;
  /** Also search NVM blocks of every class by meaning (default false: memories only). */
  includeBlocks?: boolean;
  /** Reorders the fused top `rerankDepth` (default k) results. */
  reranker?: Reranker;
  rerankDepth?: number;
  /** RRF constant (default 60) and the weight of each list (default 1 each). */
  rrfK?: number;
  weights?: { dense?: number; keyword?: number; blocks?: number };
  /** How deep each list is read before fusing (default max(k, 50)). */
  candidates?: number;
}

export interface QueryResult extends MemoryScope {
  id: string;
  /** hvs: a stored memory; nvm: a block of another class (includeBlocks). */
  source: 'hvs' | 'nvm';
  content: string;
  /** Higher is better: the fused RRF score (hybrid), cosine-based score (dense), BM25 (keyword), or the reranker's. */
  score: number;
  /** Distance from the query in the index's geometry. */
  distance: number;
  /** The NVM block holding the content, when it was persisted. */
  blockId?: string;
  metadata?: Metadata;
  /** Each list's own score for this hit, where it was found. */
  scores?: { dense?: number; keyword?: number; rerank?: number };
}

const QueryOptionsSchema = ReadScopeSchema.extend({
  k: z.number().int().min(1).max(1000).optional(),
  mode: z.enum(['hybrid', 'dense', 'keyword']).optional(),
  filter: z.record(z.string(), z.unknown()).optional(),
  includeBlocks: z.boolean().optional(),
  reranker: z.custom<Reranker>((f) => typeof f === 'function', 'a reranker is a function').optional(),
  rerankDepth: z.number().int().min(1).max(1000).optional(),
  rrfK: z.number().min(0).max(10_000).optional(),
  weights: z
    .strictObject({ dense: z.number().min(0).optional(), keyword: z.number().min(0).optional(), blocks: z.number().min(0).optional() })
    .optional(),
  candidates: z.number().int().min(1).max(10_000).optional(),
});

interface Candidate {
  id: string;
  source: 'hvs' | 'nvm';
  blockId?: string;
  content?: string;
  metadata?: Record<string, unknown>;
  distance?: number;
  scores: { dense?: number; keyword?: number };
}

export interface RetrievalDeps {
  hvs: HVS;
  nvm: NVM;
  encoder: Encoder;
  memories: Memories;
  fulltext: FullTextProjection;
}

const log = createLogger('retrieval');

export async function queryMemories(deps: RetrievalDeps, text: string, options: QueryOptions = {}): Promise<QueryResult[]> {
  parseInput(NonBlankText, text, 'query text');
  const o = parseOptions(QueryOptionsSchema, options, 'query');
  const k = o.k ?? 10;
  const mode = o.mode ?? 'hybrid';
  const depth = o.candidates ?? Math.max(k, 50);
  const where = combinedFilter(o.filter, o);
  // Checked (InvalidFilterError) before anything runs, and the same predicate for the keyword list as for the dense.
  const matches = where ? compileFilter(where) : () => true;
  const { hvs, nvm, encoder, fulltext } = deps;
  const q = mode !== 'keyword' ? await encoder.encode(text) : undefined;

  const byId = new Map<string, Candidate>();
  const lists: RankedList[] = [];
  const candidate = (id: string, init: Omit<Candidate, 'id' | 'scores'>) => {
    let c = byId.get(id);
    if (!c) byId.set(id, (c = { id, ...init, scores: {} }));
    return c;
  };

  const [dense, keyword, blocks] = await Promise.all([
    mode !== 'keyword'
      ? hvs.semanticSearch(q!, { k: depth, filter: where ? { $and: [{ type: 'content' }, where] } : { type: 'content' } })
      : undefined,
    mode !== 'dense'
      ? fulltext
          .waitFor(nvm.lastWritePosition)
          .then(() =>
            fulltext.index.search(text, { k: depth, filter: (fields) => matches((fields as unknown as MemoryTextFields).metadata) }),
          )
      : undefined,
    o.includeBlocks ? nvm.semanticQuery(text, { k: depth }) : undefined,
  ]);
  if (dense) {
    for (const r of dense) {
      const blockId = r.vector.metadata['nvm_block_id'];
      const c = candidate(r.vector.id, {
        source: 'hvs',
        ...(typeof blockId === 'string' ? { blockId } : { content: r.vector.metadata['content'] as string }),
        metadata: r.vector.metadata,
      });
      c.distance = r.distance;
      c.scores.dense = r.score;
    }
    lists.push({ ids: dense.map((r) => r.vector.id), weight: o.weights?.dense ?? 1 });
  }
  if (keyword) {
    for (const h of keyword) {
      const f = h.fields as unknown as MemoryTextFields;
      const c = candidate(f.memoryId, { source: 'hvs', blockId: h.id });
      // The index follows the block's log: its text is the block's content as of its position.
      c.content = f.text;
      c.metadata ??= f.metadata;
      c.scores.keyword = h.score;
    }
    lists.push({ ids: keyword.map((h) => (h.fields as unknown as MemoryTextFields).memoryId), weight: o.weights?.keyword ?? 1 });
  }
  if (blocks) {
    const ids: string[] = [];
    for (const { block, score } of blocks) {
      const memoryId = memoryIdOfBlock(block.name, block.metadata);
      if (memoryId) continue; // memories come from the lists above
      const c = candidate(block.id, { source: 'nvm', blockId: block.id, content: block.content, metadata: block.metadata });
      c.scores.dense = score;
      c.distance = Math.acos(Math.max(-1, Math.min(1, score)));
      ids.push(block.id);
    }
    lists.push({ ids, weight: o.weights?.blocks ?? 1 });
  }

  const fused = reciprocalRankFusion(lists, o.rrfK ?? DEFAULT_RRF_K);
  const single = mode === 'dense' && !o.includeBlocks ? 'dense' : mode === 'keyword' && !o.includeBlocks ? 'keyword' : undefined;
  const want = o.reranker ? Math.max(k, o.rerankDepth ?? k) : k;
  const out: QueryResult[] = [];
  for (const f of fused) {
    if (out.length >= want) break;
    const c = byId.get(f.id)!;
    const content = await resolveContent(deps, c);
    if (content === undefined) continue;
    const score = single ? c.scores[single]! : f.score;
    out.push({
      id: c.id,
      source: c.source,
      content,
      score,
      distance: c.distance ?? Number.NaN,
      ...(c.blockId ? { blockId: c.blockId } : {}),
      ...(c.metadata ? { metadata: stripInternal(c.metadata), ...scopeOf(c.metadata) } : {}),
      scores: { ...c.scores },
    });
  }
  await fillDistances(deps, out, q ?? (out.some((r) => Number.isNaN(r.distance)) ? await encoder.encode(text) : undefined));
  if (!o.reranker || out.length === 0) return out.slice(0, k);
  const reranked = await o.reranker(
    text,
    out.map((r) => ({ id: r.id, content: r.content, score: r.score })),
  );
  if (!Array.isArray(reranked) || reranked.length !== out.length || reranked.some((s) => typeof s !== 'number' || Number.isNaN(s))) {
    throw new InvalidArgumentError(
      `the reranker returned ${Array.isArray(reranked) ? reranked.length : typeof reranked} scores for ${out.length} candidates`,
    );
  }
  return out
    .map((r, i) => ({ ...r, score: reranked[i]!, scores: { ...r.scores, rerank: reranked[i]! } }))
    .sort((a, b) => b.score - a.score)
    .slice(0, k);
}

const INTERNAL = new Set(['hvs_id', 'nvm_block_id', 'memory_version', 'type', 'content', 'agentId', 'userId', 'runId', '_hvsnvm']);
function stripInternal(m: Record<string, unknown>): Metadata {
  return Object.fromEntries(Object.entries(m).filter(([key]) => !INTERNAL.has(key))) as Metadata;
}

/**
 * A dense hit of a persisted memory reads its block: a block deleted since means the memory is (its vector then
 * follows), and a block newer than the vector gets the vector re-embedded.
 */
async function resolveContent(deps: RetrievalDeps, c: Candidate): Promise<string | undefined> {
  if (c.content !== undefined || !c.blockId) return c.content;
  try {
    const block = await deps.nvm.getBlock(c.blockId);
    if (c.metadata?.['memory_version'] !== undefined && c.metadata['memory_version'] !== block.version) {
      void deps.memories.refresh(c.id, block).catch((err: unknown) => log.warn({ err, id: c.id }, 'could not re-embed a memory'));
    }
    return block.content;
  } catch (err) {
    if (!(err instanceof BlockNotFoundError)) throw err;
    deps.memories.followDeletion(c.id);
    return undefined;
  }
}

/** Keyword-only hits get their distance from the memory's vector, in the index's geometry. */
async function fillDistances(deps: RetrievalDeps, out: QueryResult[], q: Float32Array | undefined): Promise<void> {
  const missing = out.filter((r) => Number.isNaN(r.distance));
  if (missing.length === 0 || !q) return;
  const vectors = await deps.hvs.batchRetrieveVectors(missing.map((r) => r.id));
  missing.forEach((r, i) => {
    const v = vectors[i];
    r.distance = v ? distance(deps.hvs.geometry, q, v.data) : Number.MAX_VALUE;
  });
}
