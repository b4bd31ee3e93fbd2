// The block view: the NVM projection (current blocks, name index, embedding queue and vector index) and its checkpoint.
// Versions before the current one are not kept: block-history.ts reads them from the log.
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { EventType } from '@hvs-nvm/events';
import { archiveCheckpoint, crc32Of, readChecked, writeCheckpointFile, writeDurably } from '@hvs-nvm/files';
import { checkpointFitsLog, type LogIdentity, type Projection, type RecordedEvent } from '@hvs-nvm/eventstore';
import { VectorIndex } from '@hvs-nvm/vector-index';
import { isDueForExpiry, type BlockMetadata, type BlockState } from './block.js';
import { evolve } from './block-decider.js';
import { emptyName, evolveName, type NameState } from './name-decider.js';

export type HistoryEventType = Extract<EventType, 'BlockCreated' | 'BlockUpdated' | 'BlockPatched' | 'BlockDeleted' | 'BlockExpired'>;

/** One event of a block's stream, with the content and metadata the block had after it. */
export interface HistoryEntry {
  version: number;
  type: HistoryEventType;
  content: string;
  metadata: BlockMetadata;
  actor: string;
  /** Epoch ms (server timestamp). */
  at: number;
}

export interface BlockRecord {
  /** The block now. Its earlier versions are read from the log when asked for (block-history.ts), never kept here. */
  state: BlockState;
  /** Version whose content the vector index holds (0: none). */
  embeddedVersion: number;
}

export interface EmbeddingJob {
  blockId: string;
  version: number;
  text: string;
}

interface SnapshotFile {
  format: 1;
  namespace: string;
  position: number;
  blocks: BlockRecord[];
  names: NameState[];
  encoder: { name: string; dimension: number };
  /** Ids whose vectors fill the vectors file in this order. */
  vectorIds: string[];
  /** The vectors file of this checkpoint (`vectors-<generation>.bin`); older checkpoints used vectors.bin. */
  vectorsFile?: string;
  /** Creation time of the JetStream stream the view was built from: a checkpoint of another log is not used. */
  logCreated?: string;
  /** Size and CRC-32 of the vectors file; absent in older checkpoints, whose vectors file goes unchecked. */
  vectorsBytes?: number;
  vectorsCrc32?: number;
}

const SNAPSHOT_FORMAT = 1;
const HISTORY_TYPES = new Set<EventType>(['BlockCreated', 'BlockUpdated', 'BlockPatched', 'BlockDeleted', 'BlockExpired']);

/** Text embedded for a block: its content (what semantic queries are about). */
const MAX_EMBEDDED_CHARS = 100_000;
const embeddingText = (state: BlockState) =>
  // A block's opening carries its meaning; longer text would only slow the encoder (and may exceed its limit).
  state.content.length > MAX_EMBEDDED_CHARS ? state.content.slice(0, MAX_EMBEDDED_CHARS) : state.content;

export class BlockView implements Projection {
  readonly name = 'nvm-block-view';
  readonly blocks = new Map<string, BlockRecord>();
  readonly names = new Map<string, NameState>();
  /** Blocks with a TTL that are still live: the only ones an expiry sweep needs to look at. */
  private readonly ttlBlocks = new Set<string>();
  /** Blocks whose current content is not in the index yet. apply() stays synchronous; the client drains this. */
  readonly pendingEmbeddings = new Map<string, EmbeddingJob>();
  /** Spherical geometry: distance is the angle between embeddings, so cos(distance) is the cosine similarity. */
  readonly index: VectorIndex;
  /** Position reflected by the snapshot this view was loaded from (0: none). */
  position = 0;
  /** Called when an event queues an embedding, so the owner can drain in the background. */
  onEmbeddingQueued?: () => void;

  constructor(
    readonly namespace: string,
    private readonly encoder: { name: string; dimension: number },
    private readonly dir: string,
    private readonly logCreated = '',
  ) {
    this.index = new VectorIndex({ dimension: encoder.dimension, geometry: 'spherical' });
  }

  apply(event: RecordedEvent): void {
    if (event.streamId.startsWith('block.')) this.applyBlockEvent(event);
    else if (event.type === 'BlockNameClaimed' || event.type === 'BlockNameReleased') this.applyNameEvent(event);
    // Facts and anything else in the store belong to other read models.
  }

  private applyBlockEvent(event: RecordedEvent): void {
    if (!HISTORY_TYPES.has(event.type)) return;
    const blockId = (event.data as { blockId: string }).blockId;
    const record = this.blocks.get(blockId);
    // A checkpoint may be taken between apply and the runner advancing its position, so replays must be no-ops.
    if (record && event.revision >= 0 && event.revision < record.state.version) return;
    const state = evolve(record?.state, event);
    if (!state) return;
    if (record) record.state = state;
    else this.blocks.set(blockId, { state, embeddedVersion: 0 });
    if (state.status === 'live') {
      if (state.ttlSeconds !== undefined) this.ttlBlocks.add(blockId);
      if (event.type === 'BlockCreated' || event.type === 'BlockUpdated' || event.type === 'BlockPatched') {
        this.pendingEmbeddings.set(blockId, { blockId, version: state.version, text: embeddingText(state) });
        this.onEmbeddingQueued?.();
      }
    } else {
      this.ttlBlocks.delete(blockId);
      this.pendingEmbeddings.delete(blockId);
      this.index.remove(blockId);
    }
  }

  private applyNameEvent(event: RecordedEvent): void {
    const name = (event.data as { name: string }).name;
    const state = this.names.get(name) ?? emptyName(name);
    if (event.revision >= 0 && event.revision <= state.revision) return;
    this.names.set(name, evolveName(state, event));
  }

  block(blockId: string): BlockState | undefined {
    return this.blocks.get(blockId)?.state;
  }

  nameState(name: string): NameState {
    return this.names.get(name) ?? emptyName(name);
  }

  /** Ids of live blocks past their TTL with no BlockExpired recorded yet. */
  dueForExpiry(nowMs: number): string[] {
    const due: string[] = [];
    for (const id of this.ttlBlocks) {
      const state = this.blocks.get(id)?.state;
      if (state && isDueForExpiry(state, nowMs)) due.push(id);
    }
    return due;
  }

  /** Up to `max` queued embeddings (they stay queued until completed). */
  takeEmbeddingBatch(max: number): EmbeddingJob[] {
    const batch: EmbeddingJob[] = [];
    for (const job of this.pendingEmbeddings.values()) {
      batch.push(job);
      if (batch.length >= max) break;
    }
    return batch;
  }

  /** Stores the vectors of a batch, unless the block changed (or went) while it was being encoded. */
  completeEmbeddings(jobs: EmbeddingJob[], vectors: Float32Array[]): void {
    jobs.forEach((job, i) => {
      const queued = this.pendingEmbeddings.get(job.blockId);
      if (queued?.version !== job.version) return;
      this.pendingEmbeddings.delete(job.blockId);
      const record = this.blocks.get(job.blockId);
      if (!record || record.state.status !== 'live') return;
      this.index.upsert(job.blockId, vectors[i]!);
      record.embeddedVersion = job.version;
    });
  }

  /**
   * Writes the view and its position. Everything is captured synchronously before the first await, because the
   * runner may apply more events while the files are being written.
   */
  checkpoint(position: number): Promise<void> {
    const vectorIds: string[] = [];
    const data = new Float32Array(this.index.size * this.encoder.dimension);
    for (const id of this.index.ids()) {
      data.set(this.index.get(id)!, vectorIds.length * this.encoder.dimension);
      vectorIds.push(id);
    }
    const snapshot: SnapshotFile = {
      format: SNAPSHOT_FORMAT,
      namespace: this.namespace,
      position,
      blocks: [...this.blocks.values()],
      names: [...this.names.values()],
      encoder: { name: this.encoder.name, dimension: this.encoder.dimension },
      vectorIds,
      vectorsFile: `vectors-${randomBytes(6).toString('hex')}.bin`,
      logCreated: this.logCreated,
    };
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    snapshot.vectorsBytes = bytes.byteLength;
    snapshot.vectorsCrc32 = crc32Of(bytes);
    const json = JSON.stringify(snapshot);
    return this.write(json, snapshot.vectorsFile!, bytes, position);
  }

  private async write(json: string, vectorsFile: string, vectors: Uint8Array, position: number): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    // Vectors first, under a name of their own: view.json names them, and a crash before its rename leaves the old
    // view.json with the old vectors file, never a new vectors file read for old ids.
    await writeDurably(join(this.dir, vectorsFile), vectors);
    await writeCheckpointFile(join(this.dir, 'view.json'), json);
    for (const name of await readdir(this.dir)) {
      if (name !== vectorsFile && /^vectors(-[0-9a-f]+)?\.bin(\.tmp)?$|^view\.json\.[0-9a-f]+\.tmp$/.test(name)) {
        await rm(join(this.dir, name), { force: true });
      }
    }
    // Kept for as-of views (hard links, thinned to a retention): a view of last week starts from last week's.
    await archiveCheckpoint(this.dir, position, { files: [vectorsFile, 'view.json'] });
  }

  /**
   * A view from the checkpoint in `dir` (or an empty one). Vectors are reused when the same encoder made them;
   * otherwise every live block is queued for embedding again.
   */
  static async load(
    dir: string,
    namespace: string,
    encoder: { name: string; dimension: number },
    warn: (message: string, detail?: unknown) => void,
    log: LogIdentity,
  ): Promise<BlockView> {
    const view = new BlockView(namespace, encoder, dir, log.created);
    let snapshot: SnapshotFile;
    try {
      snapshot = JSON.parse(await readFile(join(dir, 'view.json'), 'utf8')) as SnapshotFile;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') warn('ignoring an unreadable NVM checkpoint', err);
      return view;
    }
    if (snapshot.format !== SNAPSHOT_FORMAT || snapshot.namespace !== namespace || !Array.isArray(snapshot.blocks)) {
      warn('ignoring an NVM checkpoint of another format or namespace', { dir });
      return view;
    }
    // Another server's stream, a recreated one, or one shorter than the checkpoint: its blocks are not this log's.
    if (!checkpointFitsLog(snapshot, log)) {
      warn('ignoring an NVM checkpoint of another log; rebuilding from this one', { dir });
      return view;
    }
    for (const loaded of snapshot.blocks) {
      // Checkpoints written before history moved to the log carry every version: only the state is kept.
      const record: BlockRecord = { state: loaded.state, embeddedVersion: loaded.embeddedVersion };
      view.blocks.set(record.state.id, record);
      if (record.state.status === 'live' && record.state.ttlSeconds !== undefined) view.ttlBlocks.add(record.state.id);
    }
    for (const name of snapshot.names) view.names.set(name.name, name);
    view.position = snapshot.position;

    let vectors: Float32Array | undefined;
    const sameEncoder = snapshot.encoder.name === encoder.name && snapshot.encoder.dimension === encoder.dimension;
    if (sameEncoder) {
      try {
        const buf = await readChecked(join(dir, snapshot.vectorsFile ?? 'vectors.bin'), {
          ...(snapshot.vectorsBytes !== undefined ? { bytes: snapshot.vectorsBytes } : {}),
          ...(snapshot.vectorsCrc32 !== undefined ? { crc32: snapshot.vectorsCrc32 } : {}),
        });
        if (!buf) warn('NVM checkpoint vectors missing or damaged; re-embedding', { dir });
        else if (buf.byteLength === snapshot.vectorIds.length * encoder.dimension * 4) {
          vectors = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
        }
      } catch (err) {
        warn('NVM checkpoint vectors unreadable; re-embedding', err);
      }
    }
    if (vectors) {
      snapshot.vectorIds.forEach((id, i) => {
        const record = view.blocks.get(id);
        if (record?.state.status !== 'live') return;
        view.index.upsert(id, vectors.subarray(i * encoder.dimension, (i + 1) * encoder.dimension));
      });
    }
    for (const record of view.blocks.values()) {
      const { state } = record;
      if (!view.index.has(state.id)) record.embeddedVersion = 0;
      if (state.status === 'live' && record.embeddedVersion !== state.version) {
        view.pendingEmbeddings.set(state.id, {
          blockId: state.id,
          version: state.version,
          text: embeddingText(state),
        });
      }
    }
    return view;
  }
}
