// The full-text index as a projection of an event log: a mapper turns events into document changes; the index is
// checkpointed with the position it reflects (one durable file, CRC-checked on load) and rebuilt from the log when
// the checkpoint is missing, damaged or of another log. `build` replays a position range, for as-of views and forks.
import { join } from 'node:path';
import {
  checkpointFitsLog,
  ProjectionRunner,
  type EventStorePort,
  type LogIdentity,
  type Projection,
  type RecordedEvent,
} from '@hvs-nvm/eventstore';
import type { EventType } from '@hvs-nvm/events';
import { crc32Of, readChecked, writeCheckpointFile } from '@hvs-nvm/files';
import { FullTextIndex, type TextDocument } from './full-text-index.js';

export type TextChange = { upsert: TextDocument } | { remove: string };

/**
 * What an event does to the index: documents to add or replace, ids to remove, or nothing. It may read the index
 * (a document's stored fields) to decide; it must not throw for a valid event (a throw parks the event).
 */
export type TextMapper = (event: RecordedEvent, index: FullTextIndex) => TextChange[] | undefined;

export interface FullTextSource {
  /** Names the checkpoint file and the projection in logs. */
  name: string;
  store: EventStorePort;
  map: TextMapper;
  /** Event types the mapper acts on (others only advance the position). */
  types?: readonly EventType[];
}

export interface OpenFullTextOptions extends FullTextSource {
  /** Folder for the checkpoint; without it the index lives in memory and is rebuilt at each open. */
  checkpointDir?: string;
  checkpointEveryMs?: number;
  checkpointEveryEvents?: number;
  onCheckpointError?: (err: Error) => void;
}

export interface BuildFullTextOptions extends FullTextSource {
  /** Start from this index, which reflects every position up to `fromPosition - 1` (default: empty, from 1). */
  base?: { index: FullTextIndex; position: number };
  /** Last position applied (inclusive). */
  toPosition: number;
}

const FORMAT = 'hvs-nvm.fulltext/1';

interface CheckpointHeader {
  format: string;
  position: number;
  logCreated: string;
  bytes: number;
  crc32: number;
}

function applyChanges(index: FullTextIndex, changes: TextChange[] | undefined): void {
  for (const c of changes ?? []) {
    if ('upsert' in c) index.upsert(c.upsert);
    else index.remove(c.remove);
  }
}

/** The checkpoint: a JSON header line (position, log identity, size and CRC-32 of the body), then the index. */
async function loadCheckpoint(path: string, log: LogIdentity): Promise<{ index: FullTextIndex; position: number } | undefined> {
  const buf = await readChecked(path, {});
  if (!buf) return undefined;
  const newline = buf.indexOf(0x0a);
  if (newline < 0) return undefined;
  let header: CheckpointHeader;
  try {
    header = JSON.parse(buf.subarray(0, newline).toString('utf8')) as CheckpointHeader;
  } catch {
    return undefined;
  }
  const body = buf.subarray(newline + 1);
  if (header.format !== FORMAT || body.byteLength !== header.bytes || crc32Of(body) !== header.crc32) return undefined;
  if (!checkpointFitsLog(header, log)) return undefined;
  try {
    return { index: FullTextIndex.fromJSON(body.toString('utf8')), position: header.position };
  } catch {
    return undefined;
  }
}

export class FullTextProjection {
  private constructor(
    readonly index: FullTextIndex,
    private readonly runner: ProjectionRunner | undefined,
    private fixedPosition: number,
    /** Position of the checkpoint it started from (0: replayed the whole log). */
    readonly restoredFrom: number,
  ) {}

  /** The index of the whole log, kept live: from its checkpoint (if it fits this log), then the tail. */
  static async open(options: OpenFullTextOptions): Promise<FullTextProjection> {
    const { store, map, name } = options;
    const log = await store.identity();
    const path = options.checkpointDir ? join(options.checkpointDir, `${name}.fulltext`) : undefined;
    const restored = path ? await loadCheckpoint(path, log) : undefined;
    const index = restored?.index ?? FullTextIndex.empty();
    const projection: Projection = {
      name: `fulltext:${name}`,
      apply: (event) => applyChanges(index, map(event, index)),
      ...(path
        ? {
            checkpoint: async (position: number) => {
              const body = Buffer.from(index.toJSON());
              const header: CheckpointHeader = {
                format: FORMAT,
                position,
                logCreated: log.created,
                bytes: body.byteLength,
                crc32: crc32Of(body),
              };
              await writeCheckpointFile(path, [Buffer.from(JSON.stringify(header) + '\n'), body]);
            },
          }
        : {}),
    };
    const runner = new ProjectionRunner(store, projection, {
      fromCheckpoint: restored?.position ?? 0,
      ...(options.types ? { types: options.types } : {}),
      ...(options.checkpointEveryMs !== undefined ? { checkpointEveryMs: options.checkpointEveryMs } : {}),
      checkpointEveryEvents: options.checkpointEveryEvents ?? 1000,
      ...(options.onCheckpointError ? { onCheckpointError: options.onCheckpointError } : {}),
    });
    await runner.start();
    return new FullTextProjection(index, runner, 0, restored?.position ?? 0);
  }

  /**
   * The index of a position range of the log, not kept live: `base` (or nothing) plus the events after it up to
   * `toPosition`. An as-of view builds it to its cut; a fork builds it to its fork point and then applies its own.
   */
  static async build(options: BuildFullTextOptions): Promise<FullTextProjection> {
    const index = options.base?.index ?? FullTextIndex.empty();
    const from = (options.base?.position ?? 0) + 1;
    let position = options.base?.position ?? 0;
    if (options.toPosition >= from) {
      for await (const event of options.store.readAll({ fromPosition: from, ...(options.types ? { types: options.types } : {}) })) {
        if (event.position > options.toPosition) break;
        applyChanges(index, options.map(event, index));
        position = event.position;
      }
      position = options.toPosition;
    }
    return new FullTextProjection(index, undefined, position, options.base?.position ?? 0);
  }

  /** Last log position the index reflects. */
  get position(): number {
    return this.runner ? this.runner.position : this.fixedPosition;
  }

  /** Resolves once the index reflects `position` (read-your-writes); a built (fixed) index never moves. */
  async waitFor(position: number): Promise<void> {
    if (this.runner) await this.runner.waitFor(position);
  }

  /** Waits until the index reflects the log's head as of now (a built index: at once). */
  async sync(): Promise<void> {
    if (this.runner) await this.runner.sync();
  }

  /** Writes a checkpoint now (live index with a checkpoint folder). */
  async checkpointNow(): Promise<void> {
    await this.runner?.checkpointNow();
  }

  /** Stops following the log and writes a last checkpoint. */
  async close(): Promise<void> {
    await this.runner?.stop();
  }
}
