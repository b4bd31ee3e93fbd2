// Pattern 1: documents kept as NVM blocks and indexed in HVS for semantic search.
import type { HVS, Metadata } from '@hvs-nvm/hvs';
import { BlockClass, type NVM } from '@hvs-nvm/nvm';
import type { Encoder } from '@hvs-nvm/encoders';
import { NonBlankText, parseInput } from '../input.js';
import { entriesOf, storeEntry } from '../reserved.js';

export interface StoredDocument {
  docId: string;
  hvsId: string;
  blockId: string;
}

export interface FoundDocument {
  docId: string;
  content: string;
  distance: number;
  score: number;
  metadata: Metadata;
}

export class DocumentStore {
  constructor(
    readonly hvs: HVS,
    readonly nvm: NVM,
    readonly encoder: Encoder,
  ) {}

  async storeDocument(docId: string, content: string, metadata: Metadata = {}): Promise<StoredDocument> {
    parseInput(NonBlankText, docId, 'storeDocument docId');
    parseInput(NonBlankText, content, 'storeDocument content');
    const block = await this.nvm.createBlock({
      name: `doc_${docId}`,
      blockClass: BlockClass.DOCUMENTATION,
      content,
      metadata,
    });
    const vector = await this.encoder.encode(content);
    const hvsId = await storeEntry(this.hvs, 'document', vector, { doc_id: docId, nvm_block_id: block.id, type: 'document' });
    return { docId, hvsId, blockId: block.id };
  }

  async searchDocuments(query: string, k = 10): Promise<FoundDocument[]> {
    parseInput(NonBlankText, query, 'searchDocuments query');
    const vector = await this.encoder.encode(query);
    // Only entries this pattern wrote: a forged one could name any block, which is read here as this NVM's actor.
    const results = await this.hvs.semanticSearch(vector, { k, filter: { type: 'document', ...entriesOf('document') } });
    const documents: FoundDocument[] = [];
    for (const r of results) {
      const blockId = r.vector.metadata['nvm_block_id'];
      const docId = r.vector.metadata['doc_id'];
      // Vectors anyone stored with type 'document' may lack these (or hold objects that String() would choke on).
      if (typeof blockId !== 'string' || typeof docId !== 'string') continue;
      const block = await this.nvm.getBlock(blockId).catch(() => undefined);
      if (!block) continue;
      documents.push({
        docId,
        content: block.content,
        distance: r.distance,
        score: r.score,
        metadata: block.metadata,
      });
    }
    return documents;
  }
}
