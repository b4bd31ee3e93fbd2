// The id of every slot. Slots written in this process hold their id string; a snapshot's slots keep the bytes of its
// id file and decode an id when it is first asked for, so a restart makes no string for an id it never answers with
// (at 1M ids, parsing them all was most of a restart before its first answer).
//
// The id file (`ids-<generation>.bin`, native byte order like the graph file beside it):
//   'HVID' · u32 version (1) · u32 slots · u32 free · u32 end[slots] · u32 freeLabel[free] · UTF-8 bytes of the ids
// end[l] is where slot l's id ends in the UTF-8 bytes (it starts at end[l − 1], or 0); a free slot's id is empty (ids
// never are). freeLabel is the free list in the order the index takes from it (its last element first).

const MAGIC = 0x44495648; // 'HVID' read as a little-endian u32
const VERSION = 1;
const HEADER = 16;

/** What a snapshot's id file gives its index: the table, the free list (taken from its end) and the live count. */
export interface RestoredIds {
  table: IdTable;
  freeLabels: number[];
  live: number;
}

export class IdTable {
  /** A string: the slot's id; null: a free slot; a hole: a restored slot not decoded yet (or a slot never used). */
  private strings: (string | null | undefined)[] = [];
  /** Slots below this come from the id file. */
  private restored = 0;
  private ends: Uint32Array = new Uint32Array(0);
  private bytes: Buffer = Buffer.alloc(0);

  /** The id of `label`; undefined for a free slot, or one never used. */
  at(label: number): string | undefined {
    const s = this.strings[label];
    if (typeof s === 'string') return s;
    if (s === null || label >= this.restored) return undefined;
    return this.decode(label);
  }

  /** Whether `label` holds an id (without decoding it). */
  has(label: number): boolean {
    const s = this.strings[label];
    if (s !== undefined) return s !== null;
    return label < this.restored && this.ends[label]! > (label === 0 ? 0 : this.ends[label - 1]!);
  }

  set(label: number, id: string | undefined): void {
    this.strings[label] = id ?? null;
  }

  private decode(label: number): string | undefined {
    const start = label === 0 ? 0 : this.ends[label - 1]!;
    const end = this.ends[label]!;
    const id = end > start ? this.bytes.toString('utf8', start, end) : null;
    this.strings[label] = id;
    return id ?? undefined;
  }

  /** The id file of slots [0, slots), with the free list as given. */
  encode(slots: number, freeLabels: readonly number[]): Buffer {
    const lengths = new Uint32Array(slots);
    let total = 0;
    for (let label = 0; label < slots; label++) {
      const s = this.strings[label];
      const n =
        typeof s === 'string'
          ? Buffer.byteLength(s, 'utf8')
          : s === null || label >= this.restored
            ? 0
            : this.ends[label]! - (label === 0 ? 0 : this.ends[label - 1]!);
      total += n;
      if (total > 0xffffffff) throw new RangeError('the ids of a snapshot must fit in 4 GiB');
      lengths[label] = n;
    }
    const at = HEADER + 4 * (slots + freeLabels.length);
    const out = Buffer.allocUnsafe(at + total);
    const words = new Uint32Array(out.buffer, out.byteOffset, at / 4);
    words.set([MAGIC, VERSION, slots, freeLabels.length]);
    let end = 0;
    let offset = at;
    for (let label = 0; label < slots; label++) {
      const n = lengths[label]!;
      if (n > 0) {
        const s = this.strings[label];
        if (typeof s === 'string') out.write(s, offset, n, 'utf8');
        else this.bytes.copy(out, offset, label === 0 ? 0 : this.ends[label - 1]!, this.ends[label]);
      }
      end += n;
      offset += n;
      words[4 + label] = end;
    }
    words.set(freeLabels, 4 + slots);
    return out;
  }

  /**
   * The table over an id file (its bytes are kept, not copied); undefined when the file is not one, or does not
   * describe `slots` slots of which `live` hold an id. The file's CRC-32 (checked by the caller) vouches for the rest.
   */
  static restore(file: Buffer, slots: number, live: number): RestoredIds | undefined {
    if (file.byteLength < HEADER) return undefined;
    // Typed-array views need 4-byte alignment; a read file is its own ArrayBuffer, so this copy is for odd callers.
    const bytes = file.byteOffset % 4 === 0 ? file : Buffer.from(file);
    const head = new Uint32Array(bytes.buffer, bytes.byteOffset, HEADER / 4);
    const [magic, version, count, free] = head as unknown as [number, number, number, number];
    if (magic !== MAGIC || version !== VERSION || count !== slots || free !== slots - live) return undefined;
    const at = HEADER + 4 * (count + free);
    if (bytes.byteLength < at) return undefined;
    const ends = new Uint32Array(bytes.buffer, bytes.byteOffset + HEADER, count);
    const freeLabels = Array.from(new Uint32Array(bytes.buffer, bytes.byteOffset + HEADER + 4 * count, free));
    if (bytes.byteLength !== at + (count === 0 ? 0 : ends[count - 1]!)) return undefined;
    if (freeLabels.some((label) => label >= count)) return undefined;
    const table = new IdTable();
    table.restored = count;
    table.ends = ends;
    table.bytes = bytes.subarray(at);
    table.strings = new Array<string | null | undefined>(count);
    return { table, freeLabels, live };
  }

  /** The table of an older snapshot's id list (JSON: an id or null per slot); undefined when an entry is neither. */
  static fromList(ids: readonly unknown[], slots: number): RestoredIds | undefined {
    const table = new IdTable();
    const freeLabels: number[] = [];
    let live = 0;
    for (let label = 0; label < slots; label++) {
      const id = ids[label];
      if (typeof id === 'string') {
        table.strings[label] = id;
        live++;
      } else if (id === null) {
        table.strings[label] = null;
        freeLabels.push(label);
      } else {
        return undefined;
      }
    }
    // Lowest labels reused first, as a live index would after deletes in order.
    return { table, freeLabels: freeLabels.reverse(), live };
  }
}
