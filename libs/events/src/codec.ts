// Binary event payload: a JSON head plus a tail of raw float32 bytes, so vectors never travel as JSON number arrays.
//
// Layout: a 3-byte magic ("HV1": event data and query payloads; "HV2": a stored event record, whose head is the
// event's envelope, see libs/eventstore/src/record-format.ts), u32 LE length of the JSON head, the JSON head (UTF-8), zero padding to a
// 4-byte boundary, then the float32 tail. In the head, each Float32Array is replaced by {"$f32":[offset,length]}
// (offset and length in floats into the tail). A user object key of that shape ($f32, $$f32, …) gets one more `$`
// on the way in and loses it on the way out, so user data can never pass for a vector reference.
import { CodedError } from './errors.js';

/** "HV1": event data (the payload of format-1 stored events, whose metadata is in NATS headers) and query payloads. */
const MAGIC = [0x48, 0x56, 0x31];
/** "HV2": a stored event record (format 2): the head is the event's envelope, its data inside. */
const RECORD_MAGIC = [0x48, 0x56, 0x32];
const HEAD = 7;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Bytes that are not an HVS-NVM event payload (bad magic, truncated, bad head); 500: they come from our own streams. */
export class EventCodecError extends CodedError {
  constructor(message: string) {
    super('EVENT_CODEC', message, 500);
  }
}

/** `$f32`, `$$f32`, …: the reference key and its escaped forms. */
function isReferenceShaped(key: string): boolean {
  return key.endsWith('f32') && key.charCodeAt(0) === 36 && /^\$+f32$/.test(key);
}

function renameKeys(value: object, rename: (key: string) => string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[rename(k)] = v;
  return out;
}

function hasReferenceShapedKey(value: object): boolean {
  for (const k of Object.keys(value)) if (isReferenceShaped(k)) return true;
  return false;
}

/** Depth up to which plainJson walks; deeper data takes the replacer path (which gives the same bytes). */
const PLAIN_WALK_DEPTH = 32;

/**
 * Whether JSON.stringify without a replacer gives the same text as with the vector replacer: only primitives,
 * arrays and plain objects, no Float32Array, no reference-shaped key. Anything else (a Date, a class instance, a
 * typed array) answers false and goes through the replacer, which runs per key and cost most of a small event's
 * encoding.
 */
function plainJson(value: unknown, depth: number): boolean {
  if (value === null || typeof value !== 'object') return true;
  if (depth >= PLAIN_WALK_DEPTH) return false;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (!plainJson(value[i], depth + 1)) return false;
    return true;
  }
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return false;
  for (const k in value) {
    if (isReferenceShaped(k) || !plainJson((value as Record<string, unknown>)[k], depth + 1)) return false;
  }
  return true;
}

/** A value's JSON text with every Float32Array replaced by a reference into `arrays` (in order, `floats` in all). */
export interface JsonParts {
  json: string;
  arrays: Float32Array[];
  floats: number;
}

/** The JSON head and float32 tail of a value, before framing (a caller may splice the JSON text, then frame it). */
export function jsonParts(data: unknown): JsonParts {
  const arrays: Float32Array[] = [];
  let floats = 0;
  const json = plainJson(data, 0)
    ? JSON.stringify(data)
    : JSON.stringify(data, (_key, value: unknown) => {
        if (value instanceof Float32Array) {
          // The serializer walks into this object's own key next; it never passes the object itself through here.
          const ref = { $f32: [floats, value.length] };
          arrays.push(value);
          floats += value.length;
          return ref;
        }
        if (value !== null && typeof value === 'object' && !Array.isArray(value) && hasReferenceShapedKey(value)) {
          return renameKeys(value, (k) => (isReferenceShaped(k) ? `$${k}` : k));
        }
        return value;
      });
  return { json: json ?? 'null', arrays, floats };
}

function frame(magic: readonly number[], json: string, arrays: readonly Float32Array[], floats: number): Uint8Array {
  const head = encoder.encode(json);
  const tailStart = HEAD + head.length + ((4 - ((HEAD + head.length) % 4)) % 4);
  const out = new Uint8Array(tailStart + floats * 4);
  out.set(magic, 0);
  new DataView(out.buffer).setUint32(3, head.length, true);
  out.set(head, HEAD);
  if (floats > 0) {
    const tail = new Float32Array(out.buffer, tailStart, floats);
    let at = 0;
    for (const a of arrays) {
      tail.set(a, at);
      at += a.length;
    }
  }
  return out;
}

export function encodeEventData(data: unknown): Uint8Array {
  const { json, arrays, floats } = jsonParts(data);
  return frame(MAGIC, json, arrays, floats);
}

/**
 * A stored event record (format 2): `json` is the envelope's JSON text from jsonParts (its vector references point
 * into `arrays`), framed under the "HV2" magic.
 */
export function frameEventRecord(json: string, arrays: readonly Float32Array[], floats: number): Uint8Array {
  return frame(RECORD_MAGIC, json, arrays, floats);
}

/** Whether a payload is a stored event record (format 2) rather than format-1 event data. */
export function isEventRecord(bytes: Uint8Array): boolean {
  return bytes.length >= HEAD && bytes[0] === RECORD_MAGIC[0] && bytes[1] === RECORD_MAGIC[1] && bytes[2] === RECORD_MAGIC[2];
}

export function decodeEventData(bytes: Uint8Array): unknown {
  if (bytes.length < HEAD || bytes[0] !== MAGIC[0] || bytes[1] !== MAGIC[1] || bytes[2] !== MAGIC[2]) {
    throw new EventCodecError('payload is not an HVS-NVM event (bad magic)');
  }
  return decodeFramed(bytes);
}

/** The value of a stored event record (format 2): its envelope, vectors restored. */
export function decodeEventRecord(bytes: Uint8Array): unknown {
  if (!isEventRecord(bytes)) throw new EventCodecError('payload is not an HVS-NVM event record (bad magic)');
  return decodeFramed(bytes);
}

function decodeFramed(bytes: Uint8Array): unknown {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headLength = view.getUint32(3, true);
  if (HEAD + headLength > bytes.length) throw new EventCodecError('payload head is truncated');
  const tailStart = HEAD + headLength + ((4 - ((HEAD + headLength) % 4)) % 4);
  const tailFloats = Math.max(0, Math.floor((bytes.length - tailStart) / 4));
  let tail: Float32Array | undefined;
  const json = decoder.decode(bytes.subarray(HEAD, HEAD + headLength));
  let parsed: unknown;
  try {
    // Most events carry no vectors: a reviver makes JSON.parse several times slower, so use one only when needed.
    if (tailFloats === 0 && !json.includes('f32"')) return JSON.parse(json) as unknown;
    parsed = JSON.parse(json, (_key, value: unknown) => {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
      if (Object.hasOwn(value, '$f32')) {
        const ref = (value as { $f32: unknown }).$f32;
        if (!Array.isArray(ref) || ref.length !== 2) throw new EventCodecError('bad float32 reference');
        const [offset, length] = ref as [number, number];
        if (!Number.isInteger(offset) || !Number.isInteger(length) || offset < 0 || offset + length > tailFloats) {
          throw new EventCodecError('float32 reference out of range');
        }
        if (!tail) {
          // Copy the tail once into an aligned buffer; every vector of this event is a view into it.
          tail = new Float32Array(tailFloats);
          new Uint8Array(tail.buffer).set(bytes.subarray(tailStart, tailStart + tailFloats * 4));
        }
        return tail.subarray(offset, offset + length);
      }
      if (hasReferenceShapedKey(value)) return renameKeys(value, (k) => (isReferenceShaped(k) ? k.slice(1) : k));
      return value;
    });
  } catch (err) {
    if (err instanceof EventCodecError) throw err;
    throw new EventCodecError(`payload head is not JSON: ${(err as Error).message}`);
  }
  return parsed;
}
