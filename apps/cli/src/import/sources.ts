// Reads import files as numbered records, in batches: JSONL lines ({id?, vector, metadata?} or {content, metadata?}) and .npy rows.
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { z } from 'zod';
import { UsageError } from '../context.js';

const Metadata = z.record(z.string(), z.unknown());
const VectorLine = z.strictObject({
  id: z.string().min(1).max(256).optional(),
  vector: z.array(z.number()).min(1),
  metadata: Metadata.optional(),
});
const ContentLine = z.strictObject({
  id: z.string().min(1).max(256).optional(),
  content: z.string().min(1),
  metadata: Metadata.optional(),
});
/** A line with `content` is text; anything else is checked as a vector line, so its error names the real problem. */
const lineSchema = (json: unknown) => (json !== null && typeof json === 'object' && 'content' in json ? ContentLine : VectorLine);

/** One record of the file; `line` is 1-based (the JSONL line, or the .npy row + 1). */
export type ImportRecord = { line: number } & (
  | { id?: string; vector: number[] | Float32Array; metadata?: Record<string, unknown> }
  | { id?: string; content: string; metadata?: Record<string, unknown> }
);

export interface ImportSource {
  /** Number of records (lines or rows) in the file. */
  total: number;
  /** Batches of records after line `skip`, in order. */
  batches(skip: number, batchSize: number): AsyncGenerator<ImportRecord[]>;
}

// ---- JSONL --------------------------------------------------------------------------------------

async function countLines(path: string): Promise<number> {
  let lines = 0;
  let last = 10;
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++;
    if (chunk.length > 0) last = chunk[chunk.length - 1]!;
  }
  return last === 10 ? lines : lines + 1;
}

export async function jsonlSource(path: string): Promise<ImportSource> {
  const total = await countLines(path);
  return {
    total,
    async *batches(skip, batchSize) {
      const rl = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
      let line = 0;
      let batch: ImportRecord[] = [];
      for await (const text of rl) {
        line++;
        if (line <= skip || text.trim() === '') continue;
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch (err) {
          throw new UsageError(`${path}:${line}: not JSON: ${(err as Error).message}`);
        }
        const parsed = lineSchema(json).safeParse(json);
        if (!parsed.success) {
          throw new UsageError(
            `${path}:${line}: expected {id?, vector, metadata?} or {content, metadata?}: ${z.prettifyError(parsed.error)}`,
          );
        }
        batch.push({ line, ...parsed.data });
        if (batch.length >= batchSize) {
          yield batch;
          batch = [];
        }
      }
      if (batch.length > 0) yield batch;
    },
  };
}

// ---- .npy ---------------------------------------------------------------------------------------

const NPY_MAGIC = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]);

interface NpyHeader {
  rows: number;
  cols: number;
  dataOffset: number;
}

/** Reads the header of a NumPy .npy file holding a C-ordered 2-D little-endian float32 array. */
function parseNpyHeader(head: Buffer, path: string): NpyHeader {
  if (head.length < 10 || !head.subarray(0, 6).equals(NPY_MAGIC)) throw new UsageError(`${path} is not a .npy file`);
  const major = head[6]!;
  const lenBytes = major === 1 ? 2 : 4;
  const headerLen = lenBytes === 2 ? head.readUInt16LE(8) : head.readUInt32LE(8);
  const start = 8 + lenBytes;
  if (head.length < start + headerLen) throw new UsageError(`${path}: truncated .npy header`);
  const dict = head.subarray(start, start + headerLen).toString('latin1');
  const descr = /'descr':\s*'([^']+)'/.exec(dict)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(dict)?.[1];
  const shape = /'shape':\s*\(([^)]*)\)/.exec(dict)?.[1];
  if (descr !== '<f4' && descr !== '|f4') throw new UsageError(`${path}: dtype ${descr ?? '?'} is not little-endian float32 ('<f4')`);
  if (fortran !== 'False') throw new UsageError(`${path}: Fortran-ordered arrays are not supported; save with np.ascontiguousarray`);
  const dims = (shape ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map(Number);
  if (dims.length !== 2 || dims.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new UsageError(`${path}: expected a 2-D array (rows, dimension), got shape (${shape ?? ''})`);
  }
  return { rows: dims[0]!, cols: dims[1]!, dataOffset: start + headerLen };
}

export async function npySource(path: string): Promise<ImportSource> {
  const fh = await open(path, 'r');
  let header: NpyHeader;
  try {
    const head = Buffer.alloc(65_536 + 12);
    const { bytesRead } = await fh.read(head, 0, head.length, 0);
    header = parseNpyHeader(head.subarray(0, bytesRead), path);
    const { size } = await fh.stat();
    if (size < header.dataOffset + header.rows * header.cols * 4) throw new UsageError(`${path}: file is shorter than its shape says`);
  } finally {
    await fh.close();
  }
  const { rows, cols, dataOffset } = header;
  return {
    total: rows,
    async *batches(skip, batchSize) {
      const file = await open(path, 'r');
      try {
        for (let row = skip; row < rows; row += batchSize) {
          const n = Math.min(batchSize, rows - row);
          const bytes = Buffer.alloc(n * cols * 4);
          await file.read(bytes, 0, bytes.length, dataOffset + row * cols * 4);
          // A fresh buffer is aligned, so the rows can be viewed in place without copying floats.
          const all = new Float32Array(bytes.buffer, bytes.byteOffset, n * cols);
          yield Array.from({ length: n }, (_, i) => ({
            line: row + i + 1,
            vector: all.subarray(i * cols, (i + 1) * cols),
            metadata: { row: row + i },
          }));
        }
      } finally {
        await file.close();
      }
    },
  };
}
