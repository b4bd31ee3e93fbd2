// Unit tests of the import readers: .npy headers and rows, JSONL lines and their error messages.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { jsonlSource, npySource } from './sources.js';

const dir = mkdtempSync(join(tmpdir(), 'hvs-nvm-sources-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function npy(rows: number, cols: number, descr = '<f4'): string {
  const header = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${rows}, ${cols}), }`;
  const padded = header.padEnd(Math.ceil((11 + header.length) / 64) * 64 - 11, ' ') + '\n';
  const pre = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, 0, 0]);
  pre.writeUInt16LE(padded.length, 8);
  const data = Float32Array.from({ length: rows * cols }, (_, i) => i);
  const path = join(dir, `a-${rows}-${cols}-${descr.replace(/\W/g, '')}.npy`);
  writeFileSync(path, Buffer.concat([pre, Buffer.from(padded, 'latin1'), Buffer.from(data.buffer)]));
  return path;
}

async function all<T>(gen: AsyncGenerator<T[]>): Promise<T[][]> {
  const out: T[][] = [];
  for await (const b of gen) out.push(b);
  return out;
}

describe('.npy source', () => {
  it('reads rows in batches after the skipped ones, numbered from 1', async () => {
    const src = await npySource(npy(5, 3));
    expect(src.total).toBe(5);
    const batches = await all(src.batches(1, 2));
    expect(batches.map((b) => b.map((r) => r.line))).toEqual([
      [2, 3],
      [4, 5],
    ]);
    expect(Array.from((batches[0]![0] as { vector: Float32Array }).vector)).toEqual([3, 4, 5]);
  });

  it('refuses other dtypes', async () => {
    await expect(npySource(npy(2, 2, '<f8'))).rejects.toThrow(/float32/);
  });
});

describe('JSONL source', () => {
  it('counts lines, skips blank ones, and names the line of a bad record', async () => {
    const path = join(dir, 'a.jsonl');
    writeFileSync(path, '{"content":"a"}\n\n{"vector":[1,2],"metadata":{"x":1}}\n{"nope":1}\n');
    const src = await jsonlSource(path);
    expect(src.total).toBe(4);
    await expect(all(src.batches(0, 10))).rejects.toThrow(/a\.jsonl:4: .*vector/s);
    const gen = src.batches(0, 1);
    expect((await gen.next()).value).toEqual([{ line: 1, content: 'a' }]);
    expect((await gen.next()).value).toEqual([{ line: 3, vector: [1, 2], metadata: { x: 1 } }]);
    await expect(gen.next()).rejects.toThrow(/a\.jsonl:4/);
  });
});
