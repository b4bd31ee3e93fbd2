// Re-embedding from the log: the vectors of a world at a point, made again by another encoder (or into another
// geometry) from the text they stand for — content, documents, facts, cache keys — into a fork's own collection.
import type { EventStore, RecordedEvent } from '@hvs-nvm/eventstore';
import type { HVS } from '@hvs-nvm/hvs';
import { storeReservedVectors } from '@hvs-nvm/hvs/internal';
import type { NVM } from '@hvs-nvm/nvm';
import type { Encoder } from '@hvs-nvm/encoders';

/** Vectors encoded and stored per round. */
const BATCH = 256;

export interface ReembedProgress {
  done: number;
  total: number;
}

export interface ReembedResult {
  /** Vectors made again with the new encoder. */
  reembedded: number;
  /** Vectors without a text to make them from (raw vectors stored by a caller): not carried into the fork. */
  skipped: number;
}

/** The text a vector was made from, when its metadata says (or its block holds) it. */
async function textOf(metadata: Record<string, unknown>, nvm: NVM): Promise<string | undefined> {
  if (typeof metadata['content'] === 'string') return metadata['content'];
  const fact = metadata['fact'] as { subject?: unknown; predicate?: unknown; object?: unknown } | undefined;
  if (metadata['type'] === 'fact' && fact && typeof fact.subject === 'string') {
    return `${fact.subject} ${String(fact.predicate)} ${String(fact.object)}`;
  }
  const entry = metadata['entry'] as { key?: unknown } | undefined;
  if (metadata['type'] === 'cache_entry' && typeof entry?.key === 'string') return entry.key;
  const blockId = metadata['nvm_block_id'];
  if (typeof blockId === 'string') return (await nvm.getBlock(blockId).catch(() => undefined))?.content;
  return undefined;
}

/**
 * The live vectors of `log` up to `upTo` (folded from VectorStored / VectorDeleted), encoded again by `encoder` from
 * their text and stored in `target` with the same ids and metadata. `nvm` reads the blocks content lives in.
 */
export async function reembed(
  log: EventStore,
  upTo: number,
  target: HVS,
  nvm: NVM,
  encoder: Encoder,
  onProgress?: (p: ReembedProgress) => void,
): Promise<ReembedResult> {
  const live = new Map<string, Record<string, unknown>>();
  for await (const e of log.readAll({ filter: 'vec.>', types: ['VectorStored', 'VectorDeleted'] }) as AsyncGenerator<RecordedEvent>) {
    if (e.position > upTo) break;
    if (e.type === 'VectorStored') {
      const data = e.data as { id: string; metadata: Record<string, unknown> };
      live.set(data.id, data.metadata);
    } else {
      live.delete((e.data as { id: string }).id);
    }
  }
  const total = live.size;
  let done = 0;
  let reembedded = 0;
  let skipped = 0;
  onProgress?.({ done, total });
  const entries = [...live.entries()];
  for (let i = 0; i < entries.length; i += BATCH) {
    const batch: { id: string; metadata: Record<string, unknown>; text: string }[] = [];
    for (const [id, metadata] of entries.slice(i, i + BATCH)) {
      const text = await textOf(metadata, nvm);
      if (text === undefined || text.trim() === '') skipped++;
      else batch.push({ id, metadata, text });
    }
    if (batch.length > 0) {
      const vectors = await encoder.encodeBatch(batch.map((b) => b.text));
      await storeReservedVectors(
        target,
        batch.map((b, j) => ({ id: b.id, vector: vectors[j]!, metadata: b.metadata })),
      );
      reembedded += batch.length;
    }
    done = Math.min(total, i + BATCH);
    onProgress?.({ done, total });
  }
  return { reembedded, skipped };
}
