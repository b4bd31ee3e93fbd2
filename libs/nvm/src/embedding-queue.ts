// The embedding queue: block contents the view has applied are encoded in the background, in batches, into the
// view's vector index (apply() stays synchronous; semantic queries drain the queue before answering).
import type { Encoder } from '@hvs-nvm/encoders';
import type { Logger } from '@hvs-nvm/runtime';
import type { BlockView } from './block-view.js';

const EMBEDDING_BATCH = 32;

export class EmbeddingQueue {
  private draining?: Promise<void>;
  private drainScheduled = false;

  constructor(
    private readonly view: BlockView,
    private readonly encoder: Encoder,
    private readonly log: Logger,
    private readonly isClosed: () => boolean,
    private readonly track: (work: () => Promise<unknown>, what: string) => void,
  ) {}

  start(): void {
    this.view.onEmbeddingQueued = () => this.scheduleDrain();
    if (this.view.pendingEmbeddings.size > 0) this.scheduleDrain();
  }

  private scheduleDrain(): void {
    if (this.drainScheduled || this.isClosed()) return;
    this.drainScheduled = true;
    // Coalesces a burst of applied events into one drain, after the burst.
    setTimeout(() => {
      this.drainScheduled = false;
      this.track(() => this.drainEmbeddings(), 'embedding block content');
    }, 0).unref();
  }

  /** Encodes every queued block content into the vector index (one drain at a time). */
  async drainEmbeddings(): Promise<void> {
    while (this.view.pendingEmbeddings.size > 0 && !this.isClosed()) {
      if (!this.draining) {
        this.draining = this.drainOnce().finally(() => (this.draining = undefined));
      }
      await this.draining;
    }
  }

  private async drainOnce(): Promise<void> {
    const batch = this.view.takeEmbeddingBatch(EMBEDDING_BATCH);
    let vectors: Float32Array[];
    try {
      vectors = await this.encoder.encodeBatch(batch.map((j) => j.text));
    } catch (err) {
      // One bad text must not block the queue: encode one by one and drop the failures (logged).
      this.log.warn({ err }, 'batch encoding failed; encoding block contents one by one');
      for (const job of batch) {
        try {
          this.view.completeEmbeddings([job], [await this.encoder.encode(job.text)]);
        } catch (one) {
          this.log.warn({ err: one, blockId: job.blockId }, 'cannot embed block content; it is left out of semantic queries');
          if (this.view.pendingEmbeddings.get(job.blockId)?.version === job.version) {
            this.view.pendingEmbeddings.delete(job.blockId);
          }
        }
      }
      return;
    }
    this.view.completeEmbeddings(batch, vectors);
  }
}
