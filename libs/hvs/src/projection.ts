// The HVS read model: applies vector and presence events to a VectorIndex plus a metadata table; snapshots to disk.
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Projection, RecordedEvent } from '@hvs-nvm/eventstore';
import { VectorIndex, type VectorIndexOptions } from './vector-index.js';

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
  readonly entries = new Map<string, StoredEntry>();
  readonly models = new Map<string, ModelPresence>();
  /** Invalid vector events (wrong dimension, bad values) are reported here instead of breaking the view. */
  onRejected?: (event: RecordedEvent, reason: string) => void;

  constructor(
    readonly index: VectorIndex,
    private readonly snapshotDir: string | undefined,
    collection: string,
  ) {
    this.name = `hvs:${collection}`;
  }

  apply(event: RecordedEvent): void {
    if (event.position <= this.position) return;
    this.position = event.position;
    switch (event.type) {
      case 'VectorStored': {
        const { id, vector, metadata } = event.data as { id: string; vector: Float32Array; metadata: Record<string, unknown> };
        if (vector.length !== this.index.dimension) {
          throw new Error(`vector ${id} has dimension ${vector.length}, the collection ${this.index.dimension}`);
        }
        for (let i = 0; i < vector.length; i++) {
          if (!Number.isFinite(vector[i])) throw new Error(`vector ${id} has a non-finite value`);
        }
        this.index.upsert(id, vector);
        const prior = this.entries.get(id);
        // Frozen once here, so readers can share it instead of cloning it per result.
        this.entries.set(id, { metadata: deepFreeze(metadata), createdAt: prior?.createdAt ?? event.recordedAt.getTime() });
        return;
      }
      case 'VectorDeleted': {
        const { id } = event.data as { id: string };
        this.index.remove(id);
        this.entries.delete(id);
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

  /** Writes index, metadata and position to a fresh folder, then swaps it in (a crash leaves the old one whole). */
  async checkpoint(position: number): Promise<void> {
    if (!this.snapshotDir) return;
    const dir = this.snapshotDir;
    const tmp = `${dir}.tmp-${process.pid}`;
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp, { recursive: true });
    await this.index.writeSnapshot(join(tmp, 'index'));
    const lines: string[] = [];
    for (const [id, e] of this.entries) lines.push(JSON.stringify([id, e.createdAt, e.metadata]));
    writeFileSync(join(tmp, 'entries.jsonl'), lines.join('\n'));
    const models = [...this.models.values()].map((m) => [m.modelId, m.connectedAt.getTime(), m.lastSeenAt.getTime()]);
    writeFileSync(join(tmp, 'models.json'), JSON.stringify(models));
    writeFileSync(
      join(tmp, 'position.json'),
      JSON.stringify({ format: SNAPSHOT_FORMAT, position, count: this.entries.size, at: new Date().toISOString() }),
    );
    const old = `${dir}.old`;
    rmSync(old, { recursive: true, force: true });
    if (existsSync(dir)) renameSync(dir, old);
    renameSync(tmp, dir);
    rmSync(old, { recursive: true, force: true });
  }

  /** Loads the newest snapshot, or returns an empty view when there is none (or it does not fit the options). */
  static async load(
    snapshotDir: string | undefined,
    options: VectorIndexOptions,
    collection: string,
  ): Promise<HVSProjection> {
    if (snapshotDir) {
      // A crash between the two renames of checkpoint() leaves only `.old`: it is still a whole snapshot.
      if (!existsSync(snapshotDir) && existsSync(`${snapshotDir}.old`)) renameSync(`${snapshotDir}.old`, snapshotDir);
      const loaded = await HVSProjection.tryLoad(snapshotDir, options, collection);
      if (loaded) return loaded;
    }
    return new HVSProjection(new VectorIndex(options), snapshotDir, collection);
  }

  private static async tryLoad(dir: string, options: VectorIndexOptions, collection: string) {
    try {
      const meta = JSON.parse(readFileSync(join(dir, 'position.json'), 'utf8')) as { format: number; position: number };
      if (meta.format !== SNAPSHOT_FORMAT) return undefined;
      const index = await VectorIndex.loadSnapshot(join(dir, 'index'), options);
      if (!index) return undefined;
      const view = new HVSProjection(index, dir, collection);
      const text = readFileSync(join(dir, 'entries.jsonl'), 'utf8');
      if (text.length > 0) {
        for (const line of text.split('\n')) {
          const [id, createdAt, metadata] = JSON.parse(line) as [string, number, Record<string, unknown>];
          view.entries.set(id, { metadata: deepFreeze(metadata), createdAt });
        }
      }
      const models = JSON.parse(readFileSync(join(dir, 'models.json'), 'utf8')) as [string, number, number][];
      for (const [modelId, c, l] of models) {
        view.models.set(modelId, { modelId, connectedAt: new Date(c), lastSeenAt: new Date(l) });
      }
      if (view.entries.size !== index.size) return undefined;
      view.position = meta.position;
      return view;
    } catch {
      return undefined;
    }
  }
}
