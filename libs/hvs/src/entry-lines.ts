// A checkpoint's entry lines (entries.jsonl: a line per slot, '' for a free one) kept as the file's bytes and taken
// one line at a time when first needed, so a restart parses, and makes strings of, only the documents it reads.
//
// Where each line ends comes from `entries.ends` (written beside it: a u32 per slot, native byte order, the offset
// just past the line's last byte), or, for a checkpoint written before that file was, from one pass over the bytes.

export class EntryLines {
  /** 1 once a line was taken (or dropped): it is not the slot's document any more. */
  private readonly taken: Uint8Array;

  private constructor(
    private readonly bytes: Buffer,
    private readonly ends: Uint32Array,
  ) {
    this.taken = new Uint8Array(ends.length);
  }

  get slots(): number {
    return this.ends.length;
  }

  /** The ends file of `lines` (see the header). */
  static endsOf(lines: readonly string[]): Buffer {
    const ends = new Uint32Array(lines.length);
    let at = 0;
    for (let i = 0; i < lines.length; i++) {
      at += Buffer.byteLength(lines[i]!, 'utf8');
      if (at > 0xffffffff) throw new RangeError("a checkpoint's entry lines must fit in 4 GiB");
      ends[i] = at;
      at += 1;
    }
    return Buffer.from(ends.buffer, ends.byteOffset, ends.byteLength);
  }

  /**
   * The lines of `bytes` (the entries file) with the ends file `endsFile`; undefined when they do not describe
   * `slots` lines of that file. The ends file's CRC-32 (checked by the caller) vouches for the offsets between.
   */
  static withEnds(bytes: Buffer, endsFile: Buffer, slots: number): EntryLines | undefined {
    if (endsFile.byteLength !== 4 * slots) return undefined;
    // Typed-array views need 4-byte alignment; a read file is its own ArrayBuffer, so this copy is for odd callers.
    const aligned = endsFile.byteOffset % 4 === 0 ? endsFile : Buffer.from(endsFile);
    const ends = new Uint32Array(aligned.buffer, aligned.byteOffset, slots);
    if (slots === 0 ? bytes.byteLength !== 0 : ends[slots - 1] !== bytes.byteLength) return undefined;
    return new EntryLines(bytes, ends);
  }

  /** The lines of an entries file without an ends file (one pass for the newlines); undefined unless `slots` lines. */
  static scan(bytes: Buffer, slots: number): EntryLines | undefined {
    if (slots === 0) return bytes.byteLength === 0 ? new EntryLines(bytes, new Uint32Array(0)) : undefined;
    const ends = new Uint32Array(slots);
    let at = 0;
    for (let i = 0; i < slots - 1; i++) {
      const nl = bytes.indexOf(10, at);
      if (nl < 0) return undefined;
      ends[i] = nl;
      at = nl + 1;
    }
    if (bytes.indexOf(10, at) >= 0) return undefined;
    ends[slots - 1] = bytes.byteLength;
    return new EntryLines(bytes, ends);
  }

  private startOf(slot: number): number {
    return slot === 0 ? 0 : this.ends[slot - 1]! + 1;
  }

  /** Whether slot's line is empty (a free slot). */
  isEmpty(slot: number): boolean {
    return this.ends[slot]! <= this.startOf(slot);
  }

  /** Slot's line the first time it is asked for (then it is the caller's); undefined afterwards and for '' lines. */
  take(slot: number): string | undefined {
    if (slot >= this.ends.length || this.taken[slot] === 1) return undefined;
    this.taken[slot] = 1;
    return this.isEmpty(slot) ? undefined : this.bytes.toString('utf8', this.startOf(slot), this.ends[slot]);
  }

  /** Slot's line while it has not been taken (for the next checkpoint), else undefined. */
  peek(slot: number): string | undefined {
    if (slot >= this.ends.length || this.taken[slot] === 1 || this.isEmpty(slot)) return undefined;
    return this.bytes.toString('utf8', this.startOf(slot), this.ends[slot]);
  }
}
