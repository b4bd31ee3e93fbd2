// Tests of a checkpoint's entry lines: taken once each, with or without the ends file, and refused when they do not fit.
import { describe, expect, it } from 'vitest';
import { EntryLines } from './entry-lines.js';

describe('EntryLines', () => {
  const lines = ['["a",1,{}]', '', '["ü",2,{"k":"🙂"}]', ''];
  const bytes = Buffer.from(lines.join('\n'));

  for (const how of ['with its ends file', 'scanned'] as const) {
    it(`${how}: gives each line once, empty ones never, and the untaken ones for the next checkpoint`, () => {
      const table = how === 'scanned' ? EntryLines.scan(bytes, 4)! : EntryLines.withEnds(bytes, EntryLines.endsOf(lines), 4)!;
      expect(table.slots).toBe(4);
      expect([0, 1, 2, 3].map((slot) => table.isEmpty(slot))).toEqual([false, true, false, true]);
      expect(table.peek(2)).toBe(lines[2]);
      expect(table.take(2)).toBe(lines[2]);
      expect(table.take(2)).toBeUndefined();
      expect(table.peek(2)).toBeUndefined();
      expect(table.take(1)).toBeUndefined();
      expect(table.take(0)).toBe(lines[0]);
      expect(table.take(4)).toBeUndefined();
    });
  }

  it('refuses lines that are not `slots` lines of the file', () => {
    const ends = EntryLines.endsOf(lines);
    expect(EntryLines.withEnds(bytes, ends, 3)).toBeUndefined();
    expect(EntryLines.withEnds(bytes.subarray(0, bytes.length - 1), ends, 4)).toBeUndefined();
    expect(EntryLines.scan(bytes, 3)).toBeUndefined();
    expect(EntryLines.scan(bytes, 5)).toBeUndefined();
    expect(EntryLines.scan(Buffer.alloc(0), 0)!.slots).toBe(0);
    expect(EntryLines.scan(Buffer.from('x'), 0)).toBeUndefined();
  });
});
