// The HVS read model: applies vector and presence events to a VectorIndex plus a metadata table; snapshots to disk.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import { crc32Of, fsyncFile, writeCheckpointFile, writeDurably, archiveCheckpoint } from '@hvs-nvm/files';
import { checkpointFitsLog, type LogIdentity, type Projection, type RecordedEvent } from '@hvs-nvm/eventstore';
import { isProcessAlive } from '@hvs-nvm/runtime';
import { trimAllocator } from '@hvs-nvm/hnsw';
import { VectorIndex, type VectorIndexOptions } from '@hvs-nvm/vector-index';
import { EntryLines } from './entry-lines.js';

export interface StoredEntry {
  metadata: Record<string, unknown>;
  /** Epoch milliseconds. */
  createdAt: number;
}

export interface ModelPresence {
  modelId: string;
  connectedAt: Date;
  lastSeenAt: Date;
}

const SNAPSHOT_FORMAT = 1;

/** The checkpoint being written per snapshot folder in this process. */
const checkpointsInFlight = new Map<string, Promise<void>>();

/** Most vectors carry no metadata: they all share this one frozen object. */
const EMPTY: Record<string, unknown> = Object.freeze({});

function freezeMetadata(metadata: Record<string, unknown>): Record<string, unknown> {
  for (const _ in metadata) return deepFreeze(metadata);
  return EMPTY;
}

/** Runs of new vectors shorter than this are inserted on the JS thread: a worker hop costs more than they do. */
const MIN_ASYNC_RUN = 32;

/** Half-written checkpoint folders (`<dir>.tmp-<pid>-<random>`) of processes that are gone. */
function removeAbandonedCheckpoints(dir: string): void {
  const parent = dirname(dir);
  const prefix = `${basename(dir)}.tmp-`;
  let names: string[];
  try {
    names = readdirSync(parent);
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const pid = Number(name.slice(prefix.length).split('-')[0]);
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isProcessAlive(pid)) continue;
    if (pid === process.pid && checkpointsInFlight.has(dir)) continue;
    rmSync(join(parent, name), { recursive: true, force: true });
  }
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/** The HVS view. `apply` is synchronous and idempotent by position (an event at or below `position` is ignored). */
export class HVSProjection implements Projection {
  readonly name: string;
  position = 0;
  /**
   * Metadata and creation time by the vector's slot in the index: two arrays instead of a map of objects keep the
   * JS heap at a few words per vector.
   */
  private metadataByLabel: Record<string, unknown>[] = [];
  private createdAtByLabel: number[] = [];
  /**
   * After a load: the checkpoint's entry line of each label, parsed on first use, so a restart answers without
   * parsing every document first (at 100k that was ~0.2 s of a 0.4 s restart), nor making a string of each line.
   */
  private pendingLines?: EntryLines;
  readonly models = new Map<string, ModelPresence>();
  /** Invalid vector events (wrong dimension, bad values) are reported here instead of breaking the view. */
  onRejected?: (event: RecordedEvent, reason: string) => void;
  /** A shard's view: the vectors it holds (others' events only move its position). Unset: every vector. */
  owns?: (id: string) => boolean;

  constructor(
    readonly index: VectorIndex,
    private readonly snapshotDir: string | undefined,
    collection: string,
    /** Creation time of the JetStream stream this view follows, recorded with every checkpoint. */
    private readonly logCreated = '',
  ) {
    this.name = `hvs:${collection}`;
    // The snapshot's payload index is parsed when first used; should that fail, it is rebuilt from the documents.
    index.onPayloadLost = (payload) => {
      const slots = index.stats().slots;
      for (let label = 0; label < slots; label++) {
        if (index.idAt(label) !== undefined) payload.add(label, this.metadataAt(label));
      }
    };
  }

  /**
   * Applies a batch: runs of new vectors go into the graph on a worker thread (the JS thread meanwhile decodes the
   * next events, and a writer in this process publishes); everything else, and short runs, as `apply` does.
   */
  async applyBatch(events: readonly RecordedEvent[]): Promise<{ event: RecordedEvent; reason: string }[]> {
    // Parsed (or rebuilt) before any slot changes, so a rebuild sees the documents as they were.
    void this.index.payload;
    const failed: { event: RecordedEvent; reason: string }[] = [];
    let run: { event: RecordedEvent; id: string; vector: Float32Array; metadata: Record<string, unknown> }[] = [];
    const inRun = new Set<string>();
    const flush = async () => {
      if (run.length === 0) return;
      const items = run;
      run = [];
      inRun.clear();
      if (items.length < MIN_ASYNC_RUN) {
        for (const item of items) this.applyOrReport(item.event, failed);
        return;
      }
      const labels = await this.index.insertFresh(items);
      items.forEach((item, i) => {
        const label = labels[i]!;
        if (label instanceof Error) return failed.push({ event: item.event, reason: label.message });
        this.metadataByLabel[label] = freezeMetadata(item.metadata);
        this.createdAtByLabel[label] = item.event.recordedAt.getTime();
        this.index.payload.add(label, this.metadataByLabel[label]);
      });
    };
    for (const event of events) {
      if (event.position <= this.position) continue;
      if (event.type === 'VectorStored') {
        const { id, vector, metadata } = event.data as { id: string; vector: Float32Array; metadata: Record<string, unknown> };
        if (this.owns && !this.owns(id)) {
          this.position = event.position;
          continue;
        }
        if (!this.index.has(id) && !inRun.has(id)) {
          // The index checks each vector (dimension, values) and reports a bad one; the run goes on.
          run.push({ event, id, vector, metadata });
          inRun.add(id);
          this.position = event.position;
          continue;
        }
      }
      await flush();
      this.applyOrReport(event, failed);
    }
    await flush();
    return failed;
  }

  private applyOrReport(event: RecordedEvent, failed: { event: RecordedEvent; reason: string }[]): void {
    this.position = Math.max(this.position, event.position);
    try {
      this.applyEvent(event);
    } catch (err) {
      failed.push({ event, reason: (err as Error).message });
    }
  }

  apply(event: RecordedEvent): void {
    if (event.position <= this.position) return;
    this.position = event.position;
    this.applyEvent(event);
  }

  private applyEvent(event: RecordedEvent): void {
    void this.index.payload;
    switch (event.type) {
      case 'VectorStored': {
        const { id, vector, metadata } = event.data as { id: string; vector: Float32Array; metadata: Record<string, unknown> };
        if (this.owns && !this.owns(id)) return;
        // A vector of the wrong dimension or with non-finite values is a typed error of the index: it parks the event.
        const existed = this.index.has(id);
        const label = this.index.upsert(id, vector);
        if (existed) this.index.payload.remove(label, this.metadataAt(label));
        // Frozen once here, so readers can share it instead of cloning it per result.
        this.metadataByLabel[label] = freezeMetadata(metadata);
        this.index.payload.add(label, this.metadataByLabel[label]);
        if (!existed) this.createdAtByLabel[label] = event.recordedAt.getTime();
        return;
      }
      case 'VectorDeleted': {
        const { id } = event.data as { id: string };
        const label = this.index.labelOf(id);
        if (label === undefined) return;
        this.index.remove(id);
        this.index.payload.remove(label, this.metadataAt(label));
        this.metadataByLabel[label] = EMPTY;
        return;
      }
      case 'ModelConnected': {
        const { modelId } = event.data as { modelId: string };
        const prior = this.models.get(modelId);
        this.models.set(modelId, {
          modelId,
          connectedAt: prior?.connectedAt ?? event.recordedAt,
          lastSeenAt: event.recordedAt,
        });
        return;
      }
      case 'ModelDisconnected': {
        this.models.delete((event.data as { modelId: string }).modelId);
        return;
      }
      default:
        return;
    }
  }

  /** After a replay or a large batch: the decoded events' native buffers are free, give them back to the OS. */
  idle(): void {
    trimAllocator();
  }

  /** Live vectors. */
  get size(): number {
    return this.index.size;
  }

  /** Metadata and creation time of a live vector. */
  entry(id: string): StoredEntry | undefined {
    const label = this.index.labelOf(id);
    return label === undefined ? undefined : this.entryAt(label);
  }

  /** Parses label's checkpoint line if it has not been yet (only the writes of labels already parsed skip this). */
  private materialise(label: number): void {
    const line = this.pendingLines?.take(label);
    if (line === undefined) return;
    const [, createdAt, metadata] = JSON.parse(line) as [string, number, Record<string, unknown>];
    this.metadataByLabel[label] = freezeMetadata(metadata);
    this.createdAtByLabel[label] = createdAt;
  }

  /** The same by slot; only for live labels (from the index). */
  entryAt(label: number): StoredEntry {
    this.materialise(label);
    return { metadata: this.metadataByLabel[label]!, createdAt: this.createdAtByLabel[label]! };
  }

  metadataAt(label: number): Record<string, unknown> {
    this.materialise(label);
    return this.metadataByLabel[label] ?? EMPTY;
  }

  /** Writes index, metadata and position to a fresh folder, then swaps it in (a crash leaves the old one whole). */
  checkpoint(position: number): Promise<void> {
    const dir = this.snapshotDir;
    if (!dir) return Promise.resolve();
    // Clients of one process may share a storage path: their checkpoints of one folder take turns.
    const previous = checkpointsInFlight.get(dir) ?? Promise.resolve();
    const mine = previous.catch(() => undefined).then(() => this.writeCheckpoint(dir, position));
    const settled = mine.catch(() => undefined);
    checkpointsInFlight.set(dir, settled);
    void settled.then(() => {
      if (checkpointsInFlight.get(dir) === settled) checkpointsInFlight.delete(dir);
    });
    return mine;
  }

  private async writeCheckpoint(dir: string, position: number): Promise<void> {
    const tmp = `${dir}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp, { recursive: true });
    await this.index.writeSnapshot(join(tmp, 'index'));
    // A line per slot, in slot order ('' for a free one), so a load can leave each unparsed until it is needed.
    const lines: string[] = [];
    const slots = this.index.stats().slots;
    for (let label = 0; label < slots; label++) {
      const id = this.index.idAt(label);
      const pending = this.pendingLines?.peek(label);
      if (id === undefined) lines.push('');
      else if (pending) lines.push(pending);
      else lines.push(JSON.stringify([id, this.createdAtByLabel[label], this.metadataByLabel[label]]));
    }
    const entries = await writeDurably(join(tmp, 'entries.jsonl'), lines.join('\n'));
    // Where each line ends, so a load takes a line without splitting the file (see EntryLines).
    const entriesEnds = await writeDurably(join(tmp, 'entries.ends'), EntryLines.endsOf(lines));
    const models = [...this.models.values()].map((m) => [m.modelId, m.connectedAt.getTime(), m.lastSeenAt.getTime()]);
    const modelsFile = await writeDurably(join(tmp, 'models.json'), JSON.stringify(models));
    // position.json last (it fsyncs the folder, and so every name in it): it vouches for the files beside it.
    await writeCheckpointFile(
      join(tmp, 'position.json'),
      JSON.stringify({
        format: SNAPSHOT_FORMAT,
        position,
        count: this.index.size,
        logCreated: this.logCreated,
        at: new Date().toISOString(),
        entriesCrc32: entries.crc32,
        entriesBySlot: true,
        entriesEndsCrc32: entriesEnds.crc32,
        modelsCrc32: modelsFile.crc32,
      }),
    );
    const old = `${dir}.old`;
    rmSync(old, { recursive: true, force: true });
    if (existsSync(dir)) renameSync(dir, old);
    renameSync(tmp, dir);
    // The swap itself must reach the disk before the log is trusted to hold less than the checkpoint does.
    await fsyncFile(dirname(dir));
    rmSync(old, { recursive: true, force: true });
    // Kept for as-of views (hard links, thinned to a retention): a view of last week starts from last week's.
    await archiveCheckpoint(dir, position);
  }

  /**
   * Loads the newest snapshot of `log`, or returns an empty view when there is none, it does not fit the options,
   * or it was taken of another log (another server's stream, a recreated stream, or one shorter than the snapshot).
   * `log` may still be on its way (the connection to the log opens meanwhile): the files are read and the graph
   * mapped first, and the snapshot is checked against the log before anything else.
   */
  static async load(
    snapshotDir: string | undefined,
    options: VectorIndexOptions,
    collection: string,
    log: LogIdentity | Promise<LogIdentity>,
  ): Promise<HVSProjection> {
    if (snapshotDir) {
      removeAbandonedCheckpoints(snapshotDir);
      // A crash between the two renames of checkpoint() leaves only `.old`: it is still a whole snapshot.
      if (!existsSync(snapshotDir) && existsSync(`${snapshotDir}.old`)) renameSync(`${snapshotDir}.old`, snapshotDir);
      const loaded = await HVSProjection.tryLoad(snapshotDir, options, collection, log);
      if (loaded) return loaded;
    }
    return new HVSProjection(new VectorIndex(options), snapshotDir, collection, (await log).created);
  }

  /**
   * Takes a checkpoint's slot-ordered entry lines for parsing on demand; false when they do not match the index's
   * slots (a line for every live slot, none for a free one). Without a payload index in the snapshot, every line is
   * parsed now to rebuild it.
   */
  private takeLines(lines: EntryLines | undefined): boolean {
    const slots = this.index.stats().slots;
    if (!lines || lines.slots !== slots) return false;
    // One comparison per slot, no string: the lines and the ids must agree on which slots are free.
    for (let label = 0; label < slots; label++) {
      if (lines.isEmpty(label) === this.index.holds(label)) return false;
    }
    // Holes until a slot's line is parsed or the slot is written (metadataAt reads a hole as EMPTY).
    this.metadataByLabel = new Array<Record<string, unknown>>(slots);
    this.createdAtByLabel = new Array<number>(slots);
    this.pendingLines = lines;
    if (!this.index.payloadFromSnapshot) {
      for (let label = 0; label < slots; label++) {
        if (!lines.isEmpty(label)) this.index.payload.add(label, this.metadataAt(label));
      }
    }
    return true;
  }

  private static async tryLoad(
    dir: string,
    options: VectorIndexOptions,
    collection: string,
    logIdentity: LogIdentity | Promise<LogIdentity>,
  ) {
    let meta;
    try {
      meta = JSON.parse(readFileSync(join(dir, 'position.json'), 'utf8')) as Parameters<typeof HVSProjection.fromFiles>[4];
    } catch {
      return undefined;
    }
    if (meta.format !== SNAPSHOT_FORMAT) return undefined;
    // Mapped and read while the log's identity is fetched (a fitting checkpoint names the log's creation); the log's
    // own failure is the caller's, not a missing snapshot's.
    const index = await VectorIndex.loadSnapshot(join(dir, 'index'), options).catch(() => undefined);
    const view = index && HVSProjection.fromFiles(index, dir, collection, meta.logCreated ?? '', meta);
    let log: LogIdentity;
    try {
      log = await logIdentity;
    } catch (err) {
      index?.dispose();
      throw err;
    }
    if (!index) return undefined;
    if (!view || !checkpointFitsLog(meta, log)) return HVSProjection.discard(index);
    return view;
  }

  private static discard(index: VectorIndex): undefined {
    index.dispose();
    return undefined;
  }

  /** The view over a loaded index, from the checkpoint's other files; undefined when they do not match it. */
  private static fromFiles(
    index: VectorIndex,
    dir: string,
    collection: string,
    logCreated: string,
    meta: {
      format: number;
      position: number;
      logCreated?: string;
      /** Absent in checkpoints written before they were recorded: those files go unchecked. */
      entriesCrc32?: number;
      modelsCrc32?: number;
      /** entries.jsonl holds a line per slot, in slot order (else a line per live vector, in any order). */
      entriesBySlot?: boolean;
      /** entries.ends (where each of those lines ends) was written; absent in checkpoints written before it was. */
      entriesEndsCrc32?: number;
    },
  ): HVSProjection | undefined {
    try {
      const view = new HVSProjection(index, dir, collection, logCreated);
      const entriesBytes = readFileSync(join(dir, 'entries.jsonl'));
      if (meta.entriesCrc32 !== undefined && crc32Of(entriesBytes) !== meta.entriesCrc32) return undefined;
      const slots = index.stats().slots;
      if (meta.entriesBySlot) {
        let lines: EntryLines | undefined;
        if (meta.entriesEndsCrc32 === undefined) {
          lines = EntryLines.scan(entriesBytes, slots);
        } else {
          const ends = readFileSync(join(dir, 'entries.ends'));
          if (crc32Of(ends) !== meta.entriesEndsCrc32) return undefined;
          lines = EntryLines.withEnds(entriesBytes, ends, slots);
        }
        if (!view.takeLines(lines)) return undefined;
      } else if (entriesBytes.byteLength > 0) {
        const text = entriesBytes.toString('utf8');
        let entries = 0;
        for (const line of text.split('\n')) {
          const [id, createdAt, metadata] = JSON.parse(line) as [string, number, Record<string, unknown>];
          const label = index.labelOf(id);
          if (label === undefined || typeof createdAt !== 'number') return undefined;
          view.metadataByLabel[label] = freezeMetadata(metadata);
          view.createdAtByLabel[label] = createdAt;
          // A snapshot written before the payload index was: rebuilt from the documents.
          if (!index.payloadFromSnapshot) index.payload.add(label, view.metadataByLabel[label]);
          entries++;
        }
        if (entries !== index.size) return undefined;
      } else if (index.size !== 0) {
        return undefined;
      }
      const modelsBytes = readFileSync(join(dir, 'models.json'));
      if (meta.modelsCrc32 !== undefined && crc32Of(modelsBytes) !== meta.modelsCrc32) return undefined;
      const models = JSON.parse(modelsBytes.toString('utf8')) as [string, number, number][];
      for (const [modelId, c, l] of models) {
        view.models.set(modelId, { modelId, connectedAt: new Date(c), lastSeenAt: new Date(l) });
      }
      view.position = meta.position;
      return view;
    } catch {
      return undefined;
    }
  }
}
