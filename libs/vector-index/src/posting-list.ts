// Posting lists: sorted, duplicate-free slot lists in a growable Uint32Array, and the set operations a query plan uses.

/** A sorted set of labels. Appending a label above the last (the common case: new slots grow) costs O(1). */
export class PostingList {
  private ids: Uint32Array;
  size = 0;

  constructor(initial?: Uint32Array) {
    this.ids = initial ?? new Uint32Array(4);
    if (initial) this.size = initial.length;
  }

  /** Adds `label`; false when it was there already. */
  add(label: number): boolean {
    const n = this.size;
    if (n === 0 || this.ids[n - 1]! < label) {
      this.grow(n + 1);
      this.ids[n] = label;
      this.size = n + 1;
      return true;
    }
    const at = lowerBound(this.ids, n, label);
    if (at < n && this.ids[at] === label) return false;
    this.grow(n + 1);
    this.ids.copyWithin(at + 1, at, n);
    this.ids[at] = label;
    this.size = n + 1;
    return true;
  }

  /** Removes `label`; false when it was not there. */
  delete(label: number): boolean {
    const n = this.size;
    const at = lowerBound(this.ids, n, label);
    if (at >= n || this.ids[at] !== label) return false;
    this.ids.copyWithin(at, at + 1, n);
    this.size = n - 1;
    return true;
  }

  has(label: number): boolean {
    const at = lowerBound(this.ids, this.size, label);
    return at < this.size && this.ids[at] === label;
  }

  /** The labels, ascending: a view valid until the next change. */
  view(): Uint32Array {
    return this.ids.subarray(0, this.size);
  }

  private grow(n: number): void {
    if (n <= this.ids.length) return;
    const next = new Uint32Array(Math.max(n, this.ids.length * 2));
    next.set(this.ids.subarray(0, this.size));
    this.ids = next;
  }
}

/** First index in sorted `a[0..n)` whose value is ≥ `x`. */
export function lowerBound(a: Uint32Array, n: number, x: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The labels in every list (sorted lists in, a sorted list out); the smallest list drives, the others are probed. */
export function intersect(lists: readonly Uint32Array[]): Uint32Array {
  if (lists.length === 0) return new Uint32Array(0);
  const sorted = [...lists].sort((a, b) => a.length - b.length);
  let acc = sorted[0]!;
  for (let i = 1; i < sorted.length && acc.length > 0; i++) acc = intersectTwo(acc, sorted[i]!);
  return acc;
}

function intersectTwo(small: Uint32Array, large: Uint32Array): Uint32Array {
  const out = new Uint32Array(small.length);
  let n = 0;
  // Merge when the sizes are close; gallop (binary search from the last hit) when one is much smaller.
  if (large.length < small.length * 16) {
    let j = 0;
    for (let i = 0; i < small.length && j < large.length; i++) {
      const x = small[i]!;
      while (j < large.length && large[j]! < x) j++;
      if (j < large.length && large[j] === x) out[n++] = x;
    }
  } else {
    let from = 0;
    for (let i = 0; i < small.length; i++) {
      const x = small[i]!;
      const at = from + lowerBound(large.subarray(from), large.length - from, x);
      if (at < large.length && large[at] === x) out[n++] = x;
      from = at;
    }
  }
  return out.subarray(0, n);
}

/** The labels in any list, sorted and without duplicates: marked in a bitset below `bound`, then read back in order. */
export function union(lists: readonly Uint32Array[], bound: number): Uint32Array {
  if (lists.length === 0) return new Uint32Array(0);
  if (lists.length === 1) return lists[0]!;
  let total = 0;
  let max = 0;
  for (const l of lists) {
    total += l.length;
    if (l.length > 0) max = Math.max(max, l[l.length - 1]!);
  }
  const words = new Uint32Array((Math.max(bound, max + 1) + 31) >>> 5);
  for (const l of lists) for (let i = 0; i < l.length; i++) words[l[i]! >>> 5]! |= 1 << (l[i]! & 31);
  const out = new Uint32Array(total);
  let n = 0;
  for (let w = 0; w < words.length; w++) {
    let bits = words[w]!;
    while (bits !== 0) {
      const low = bits & -bits;
      out[n++] = (w << 5) + 31 - Math.clz32(low);
      bits ^= low;
    }
  }
  return out.subarray(0, n);
}

/** A bitset (bit L of byte L >> 3) of sorted `labels`, as the native search takes it. */
export function toBitset(labels: Uint32Array, bound: number): Uint8Array {
  const last = labels.length > 0 ? labels[labels.length - 1]! + 1 : 0;
  const bits = new Uint8Array((Math.max(bound, last) + 7) >>> 3);
  for (let i = 0; i < labels.length; i++) bits[labels[i]! >>> 3]! |= 1 << (labels[i]! & 7);
  return bits;
}
