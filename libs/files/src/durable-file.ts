// The one checkpoint writer: a file written under a temp name in its own folder, fsynced, renamed into place, and the
// folder fsynced, so a crash leaves the old file or the new one, never a torn one; with the CRC-32 of what it wrote.
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, readFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { crc32 as zlibCrc32 } from 'node:zlib';

export type FileContent = string | Uint8Array | readonly Uint8Array[];

/** Size and CRC-32 of what was written: record them beside the file to check it on load. */
export interface WrittenFile {
  bytes: number;
  crc32: number;
}

function chunksOf(content: FileContent): readonly Uint8Array[] {
  if (typeof content === 'string') return [Buffer.from(content)];
  return content instanceof Uint8Array ? [content] : content;
}

/** CRC-32 (zlib's) of bytes in memory. */
export function crc32Of(content: FileContent): number {
  let crc = 0;
  for (const chunk of chunksOf(content)) crc = zlibCrc32(chunk, crc);
  return crc;
}

/** CRC-32 of a file, streamed (graph files are large). */
export async function crc32File(path: string): Promise<number> {
  let crc = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 22 })) crc = zlibCrc32(chunk as Buffer, crc);
  return crc;
}

/** Flushes a file, or a folder's entries (renames and new names in it), to the disk. */
export async function fsyncFile(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Writes `path` in place and fsyncs it, without a rename: for a name no reader looks at until something written
 * after it (a manifest, a folder rename) points there.
 */
export async function writeDurably(path: string, content: FileContent): Promise<WrittenFile> {
  const chunks = chunksOf(content);
  const handle = await open(path, 'w');
  let bytes = 0;
  try {
    for (const chunk of chunks) {
      await handle.write(chunk);
      bytes += chunk.byteLength;
    }
    await handle.sync();
  } finally {
    await handle.close();
  }
  return { bytes, crc32: crc32Of(chunks) };
}

/** Writes `path` whole or not at all: temp name in the same folder, fsync, rename into place, fsync the folder. */
export async function writeCheckpointFile(path: string, content: FileContent): Promise<WrittenFile> {
  // A temp name of its own per write: two writers of one path (two clients of one storage folder) never share one.
  const tmp = join(dirname(path), `${basename(path)}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    const written = await writeDurably(tmp, content);
    await rename(tmp, path);
    await fsyncFile(dirname(path));
    return written;
  } catch (err) {
    await rm(tmp, { force: true }).catch(() => undefined);
    throw err;
  }
}

/**
 * The file's bytes when they match what was recorded (`expected` fields left out are not checked), undefined when
 * the file is missing, truncated or damaged: the caller rebuilds from the log.
 */
export async function readChecked(path: string, expected: Partial<WrittenFile>): Promise<Buffer | undefined> {
  let buf: Buffer;
  try {
    buf = await readFile(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  if (expected.bytes !== undefined && buf.byteLength !== expected.bytes) return undefined;
  if (expected.crc32 !== undefined && crc32Of(buf) !== expected.crc32) return undefined;
  return buf;
}
