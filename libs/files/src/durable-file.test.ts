// The checkpoint writer: whole files in place, no temp files left behind, and the CRC-32 that catches damage.
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { crc32File, crc32Of, readChecked, writeCheckpointFile, writeDurably } from './durable-file.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hvs-files-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('writeCheckpointFile', () => {
  it('replaces the file whole and leaves only the file in its folder', async () => {
    const path = join(dir, 'view.json');
    await writeFile(path, 'old');
    const written = await writeCheckpointFile(path, JSON.stringify({ position: 7 }));
    expect(await readFile(path, 'utf8')).toBe('{"position":7}');
    expect(await readdir(dir)).toEqual(['view.json']);
    expect(written).toEqual({ bytes: 14, crc32: await crc32File(path) });
  });

  it('writes several chunks as one file with the CRC-32 of all of them', async () => {
    const path = join(dir, 'vectors.bin');
    const chunks = [Buffer.from('abc'), Buffer.from('def')];
    const written = await writeCheckpointFile(path, chunks);
    expect(written.crc32).toBe(crc32Of(Buffer.from('abcdef')));
    expect(await readChecked(path, written)).toEqual(Buffer.from('abcdef'));
  });

  it('fails without leaving a temp file when the rename cannot happen', async () => {
    // The target is a folder that is not empty: rename onto it fails after the temp file was written.
    const path = join(dir, 'taken');
    await writeDurably(join(dir, 'keep'), 'x');
    await mkdir(join(path, 'inside'), { recursive: true });
    await expect(writeCheckpointFile(path, 'new')).rejects.toThrow();
    expect((await readdir(dir)).sort()).toEqual(['keep', 'taken']);
  });
});

describe('readChecked', () => {
  it('refuses a file whose size or CRC-32 differs from what was recorded, and a missing one', async () => {
    const path = join(dir, 'entries.jsonl');
    const written = await writeCheckpointFile(path, 'line one\nline two');
    await writeFile(path, 'line one\nline twO');
    expect(await readChecked(path, written)).toBeUndefined();
    await writeFile(path, 'line one');
    expect(await readChecked(path, written)).toBeUndefined();
    expect(await readChecked(path, {})).toEqual(Buffer.from('line one'));
    expect(await readChecked(join(dir, 'absent'), written)).toBeUndefined();
  });
});
