// Small Float32Arrays carved out of shared slabs: allocating a typed array of more than 64 bytes costs ~0.6 µs
// (an off-heap backing store each time), a view into a slab ~40 ns. Like Node's Buffer pool, a view keeps its
// slab alive, so the slab is kept small.

const SLAB_FLOATS = 16_384; // 64 KiB

let slab = new Float32Array(SLAB_FLOATS);
let used = 0;

/** A fresh, zeroed Float32Array of `length` floats; small ones are views into a shared slab. */
export function allocFloat32(length: number): Float32Array<ArrayBuffer> {
  if (length > SLAB_FLOATS / 8) return new Float32Array(length);
  if (used + length > SLAB_FLOATS) {
    slab = new Float32Array(SLAB_FLOATS);
    used = 0;
  }
  const out = slab.subarray(used, used + length);
  used += length;
  return out;
}

/** A copy of `source` in slab memory. */
export function copyFloat32(source: Float32Array): Float32Array<ArrayBuffer> {
  const out = allocFloat32(source.length);
  out.set(source);
  return out;
}
