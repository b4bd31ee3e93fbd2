// Tests of the id table: the binary id file round trip, ids decoded only when asked for, and damaged files refused.
import { describe, expect, it } from 'vitest';
import { IdTable } from './id-table.js';

function tableOf(ids: (string | undefined)[]): IdTable {
  const table = new IdTable();
  ids.forEach((id, label) => table.set(label, id));
  return table;
}

describe('IdTable', () => {
  const ids = ['a', undefined, 'ünïcødé-🙂', 'b'.repeat(256), undefined, 'c'];
  const free = [4, 1];

  it('restores what it encoded: ids, free slots and the free list in its order', () => {
    const restored = IdTable.restore(tableOf(ids).encode(ids.length, free), ids.length, 4)!;
    expect(restored.live).toBe(4);
    expect(restored.freeLabels).toEqual(free);
    expect(ids.map((_, label) => restored.table.has(label))).toEqual(ids.map((id) => id !== undefined));
    expect(ids.map((_, label) => restored.table.at(label))).toEqual(ids);
    expect(restored.table.at(ids.length)).toBeUndefined();
    expect(restored.table.has(ids.length)).toBe(false);
  });

  it('after writes, encodes restored slots it never decoded as they were, and the written ones as written', () => {
    const first = IdTable.restore(tableOf(ids).encode(ids.length, free), ids.length, 4)!.table;
    first.set(0, undefined);
    first.set(1, 'new');
    first.set(6, 'appended');
    const expected = [undefined, 'new', ids[2], ids[3], undefined, 'c', 'appended'];
    const second = IdTable.restore(first.encode(7, [4, 0]), 7, 5)!;
    expect(expected.map((_, label) => second.table.at(label))).toEqual(expected);
    expect(second.freeLabels).toEqual([4, 0]);
  });

  it('an empty table round-trips', () => {
    const restored = IdTable.restore(new IdTable().encode(0, []), 0, 0)!;
    expect(restored.live).toBe(0);
    expect(restored.table.at(0)).toBeUndefined();
  });

  it('refuses a file that is cut short, too long, of another slot or live count, or not an id file', () => {
    const file = tableOf(ids).encode(ids.length, free);
    expect(IdTable.restore(file.subarray(0, file.length - 1), ids.length, 4)).toBeUndefined();
    expect(IdTable.restore(Buffer.concat([file, Buffer.alloc(1)]), ids.length, 4)).toBeUndefined();
    expect(IdTable.restore(file, ids.length + 1, 4)).toBeUndefined();
    expect(IdTable.restore(file, ids.length, 3)).toBeUndefined();
    expect(IdTable.restore(Buffer.from('["a",null,"b"]'), 3, 2)).toBeUndefined();
    const badFree = Buffer.from(file);
    badFree.writeUInt32LE(99, 16 + 4 * ids.length);
    expect(IdTable.restore(badFree, ids.length, 4)).toBeUndefined();
  });

  it("reads an older snapshot's JSON list, lowest free slots reused first", () => {
    const restored = IdTable.fromList(['x', null, 'y', null], 4)!;
    expect(restored.live).toBe(2);
    expect(restored.freeLabels.pop()).toBe(1);
    expect([0, 1, 2, 3].map((label) => restored.table.at(label))).toEqual(['x', undefined, 'y', undefined]);
    expect(IdTable.fromList(['x', 3], 2)).toBeUndefined();
  });
});
