// Snapshot files of a vector index: the hnswlib graph (which holds the vectors) and the id map under a fresh
// generation name, a manifest (with the graph's size and CRC-32) renamed into place last, and the checks on load.
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { crc32File, crc32Of, fsyncFile, writeCheckpointFile, writeDurably } from '@hvs-nvm/files';
import { VectorIndexError } from './errors.js';
import { IdTable, type RestoredIds } from './id-table.js';

const ManifestSchema = z.object({
  format: z.literal('hvs-vector-index'),
  // 2: the graph file holds the original vectors (no separate vector file), the ids are a JSON list.
  // 3: the ids are a binary file (`ids-<generation>.bin`, see id-table.ts) with a CRC-32.
  version: z.union([z.literal(2), z.literal(3)]),
  generation: z.string().regex(/^[0-9a-f]+$/),
  dimension: z.number().int().positive(),
  geometry: z.enum(['euclidean', 'spherical', 'hyperboloid']),
  M: z.number().int(),
  efConstruction: z.number().int(),
  /** Absent: none. Quantized graphs also have `index-<generation>.hnsw.raw` (the quantizer and the float vectors). */
  quantization: z.enum(['int8', 'binary']).optional(),
  /** The graph's hnswlib space; absent in snapshots written before hyperboloid graphs used `lorentz` (they are `poincare`). */
  metric: z.enum(['l2', 'cosine', 'poincare', 'lorentz', 'lorentz64']).optional(),
  nextLabel: z.number().int().nonnegative(),
  live: z.number().int().nonnegative(),
  indexBytes: z.number().int().nonnegative(),
  /** hnswlib trusts its file's header: a damaged file must never reach it. */
  indexCrc32: z.number().int().nonnegative(),
  idsBytes: z.number().int().nonnegative(),
  /** Version 3. */
  idsCrc32: z.number().int().nonnegative().optional(),
  /** The payload index (absent in snapshots written before it existed: its owner rebuilds it then). */
  payloadBytes: z.number().int().nonnegative().optional(),
  payloadCrc32: z.number().int().nonnegative().optional(),
});
export type Manifest = z.infer<typeof ManifestSchema>;
const MANIFEST = 'manifest.json';

/** What an index gives its snapshot, captured synchronously once the graph file is saved to `indexFile`. */
export type SnapshotCapture = (indexFile: string) => {
  ids: Buffer;
  payload?: Buffer;
  manifest: Pick<Manifest, 'dimension' | 'geometry' | 'M' | 'efConstruction' | 'quantization' | 'metric' | 'nextLabel' | 'live'>;
};

/** Writes a snapshot under `dir`; a crash at any point leaves the previous snapshot readable. */
export async function writeSnapshotFiles(dir: string, capture: SnapshotCapture): Promise<void> {
  const generation = randomBytes(8).toString('hex');
  const indexFile = join(dir, `index-${generation}.hnsw`);
  const idsFile = join(dir, `ids-${generation}.bin`);
  const payloadFile = join(dir, `payload-${generation}.bin`);
  try {
    await mkdir(dir, { recursive: true });
    const { ids, payload, manifest: captured } = capture(indexFile);
    const manifest: Manifest = {
      format: 'hvs-vector-index',
      version: 3,
      generation,
      ...captured,
      indexBytes: 0,
      indexCrc32: 0,
      idsBytes: ids.byteLength,
    };
    manifest.indexBytes = (await stat(indexFile)).size;
    manifest.indexCrc32 = await crc32File(indexFile);
    await fsyncFile(indexFile);
    manifest.idsCrc32 = (await writeDurably(idsFile, ids)).crc32;
    if (payload) {
      const written = await writeDurably(payloadFile, payload);
      manifest.payloadBytes = payload.byteLength;
      manifest.payloadCrc32 = written.crc32;
    }
    // The manifest last, whole or not at all: it names the generation a reader loads.
    await writeCheckpointFile(join(dir, MANIFEST), JSON.stringify(manifest));
    for (const name of await readdir(dir)) {
      if (/^(index|data|ids|payload)-[0-9a-f]+\.(hnsw|bin|json)(\.raw)?$|\.tmp$/.test(name) && !name.includes(generation)) {
        await rm(join(dir, name), { force: true });
      }
    }
  } catch (err) {
    await rm(indexFile, { force: true }).catch(() => undefined);
    await rm(`${indexFile}.raw`, { force: true }).catch(() => undefined);
    await rm(idsFile, { force: true }).catch(() => undefined);
    await rm(payloadFile, { force: true }).catch(() => undefined);
    throw new VectorIndexError(`snapshot to '${dir}'`, err);
  }
}

/** The manifest under `dir`, or undefined when there is none or it is not one of ours. */
export async function readManifest(dir: string): Promise<Manifest | undefined> {
  try {
    const parsed = ManifestSchema.safeParse(JSON.parse(await readFile(join(dir, MANIFEST), 'utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** The graph file of `manifest`'s snapshot under `dir`. */
export function graphFileOf(dir: string, manifest: Manifest): string {
  return join(dir, `index-${manifest.generation}.hnsw`);
}

/** The graph file and the id map of `manifest`, or undefined when either is truncated or damaged. */
export async function checkedSnapshotFiles(
  dir: string,
  manifest: Manifest,
  check: { graph: boolean } = { graph: true },
): Promise<{ indexFile: string; ids: RestoredIds; payload?: Buffer } | undefined> {
  const indexFile = graphFileOf(dir, manifest);
  // hnswlib trusts the file's header; a truncated or damaged file must never reach it. `graph: false`: the caller
  // opens it with Graph.openMapped, which checks the same size and CRC-32 over its mapping.
  if (check.graph) {
    if ((await stat(indexFile)).size !== manifest.indexBytes) return undefined;
    if ((await crc32File(indexFile)) !== manifest.indexCrc32) return undefined;
  }
  const ids = await readIds(dir, manifest);
  if (!ids) return undefined;
  if (manifest.payloadBytes === undefined) return { indexFile, ids };
  // A damaged payload file costs a rebuild from the documents, never the snapshot.
  const payload = await readFile(join(dir, `payload-${manifest.generation}.bin`)).catch(() => undefined);
  if (!payload || payload.byteLength !== manifest.payloadBytes || crc32Of(payload) !== manifest.payloadCrc32) {
    return { indexFile, ids };
  }
  return { indexFile, ids, payload };
}

/** The id table of `manifest`: its binary file (version 3) or its JSON list (version 2); undefined when damaged. */
async function readIds(dir: string, manifest: Manifest): Promise<RestoredIds | undefined> {
  if (manifest.version === 2) {
    const text = await readFile(join(dir, `ids-${manifest.generation}.json`));
    if (text.byteLength !== manifest.idsBytes) return undefined;
    const list: unknown = JSON.parse(text.toString('utf8'));
    if (!Array.isArray(list) || list.length !== manifest.nextLabel) return undefined;
    return IdTable.fromList(list, manifest.nextLabel);
  }
  const file = await readFile(join(dir, `ids-${manifest.generation}.bin`));
  if (file.byteLength !== manifest.idsBytes || manifest.idsCrc32 === undefined || crc32Of(file) !== manifest.idsCrc32) return undefined;
  return IdTable.restore(file, manifest.nextLabel, manifest.live);
}
