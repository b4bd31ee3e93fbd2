// The full-text projection of memories: the NVM log's memory blocks (`content_<id>`, the integration's persisted
// memories), indexed by block id with the memory id, its metadata and its text kept beside each document.
import type { EventType } from '@hvs-nvm/events';
import type { EventStorePort, RecordedEvent } from '@hvs-nvm/eventstore';
import type { FullTextIndex, FullTextSource, TextChange } from '@hvs-nvm/fulltext';
import { patchedContent } from '@hvs-nvm/nvm';

/** What the full-text index keeps with each memory document. */
export interface MemoryTextFields {
  memoryId: string;
  metadata: Record<string, unknown>;
  text: string;
}

const MEMORY_BLOCK_PREFIX = 'content_';

/** The name of the block holding a persisted memory's text. */
export const memoryBlockName = (memoryId: string) => `${MEMORY_BLOCK_PREFIX}${memoryId}`;

/** The memory id a block holds, when it is a memory block (named for its memory, which its metadata names too). */
export function memoryIdOfBlock(name: string, metadata: Record<string, unknown>): string | undefined {
  const id = metadata['hvs_id'];
  return typeof id === 'string' && name === memoryBlockName(id) ? id : undefined;
}

const TYPES: readonly EventType[] = ['BlockCreated', 'BlockUpdated', 'BlockPatched', 'BlockDeleted', 'BlockExpired'];

function mapMemoryEvent(e: RecordedEvent, index: FullTextIndex): TextChange[] | undefined {
  const doc = (id: string, f: MemoryTextFields): TextChange[] => [{ upsert: { id, text: f.text, fields: { ...f } } }];
  switch (e.type) {
    case 'BlockCreated': {
      if (e.data.blockClass !== 'documentation') return undefined;
      const memoryId = memoryIdOfBlock(e.data.name, e.data.metadata);
      return memoryId ? doc(e.data.blockId, { memoryId, metadata: e.data.metadata, text: e.data.content }) : undefined;
    }
    case 'BlockUpdated': {
      const old = index.fieldsOf(e.data.blockId) as MemoryTextFields | undefined;
      if (!old) return undefined;
      return doc(e.data.blockId, { memoryId: old.memoryId, metadata: e.data.metadata ?? old.metadata, text: e.data.content });
    }
    case 'BlockPatched': {
      const old = index.fieldsOf(e.data.blockId) as MemoryTextFields | undefined;
      if (!old) return undefined;
      return doc(e.data.blockId, { ...old, text: patchedContent(e.data.blockId, old.text, e.data.patch) });
    }
    case 'BlockDeleted':
    case 'BlockExpired':
      return [{ remove: e.data.blockId }];
    default:
      return undefined;
  }
}

/** The full-text source of an NVM log's memories: open it live, or build it for a range (as-of views, forks). */
export function memoryTextSource(nvmStore: EventStorePort, name = 'memories'): FullTextSource {
  return { name, store: nvmStore, map: mapMemoryEvent, types: TYPES };
}
