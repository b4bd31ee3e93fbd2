// HVS's errors: a small hierarchy, each with a stable code and the HTTP-like status it maps to.
import { CodedError } from '@hvs-nvm/events';

export class HVSError extends CodedError {}

/** String(value) can itself throw (a hostile toString, a revoked proxy): never let describing a value fail. */
function safeString(value: unknown): string {
  try {
    return String(value);
  } catch {
    try {
      return Object.prototype.toString.call(value);
    } catch {
      return typeof value;
    }
  }
}

/** Shows a caller's value in a message without throwing on cycles, bigints or huge arrays. */
export function describeValue(value: unknown, maxChars = 120): string {
  let text: string;
  try {
    text =
      typeof value === 'string'
        ? JSON.stringify(value)
        : ArrayBuffer.isView(value)
          ? `${value.constructor.name}(${(value as unknown as ArrayLike<unknown>).length})`
          : (JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v)) ??
            safeString(value));
  } catch {
    text = safeString(value);
  }
  return text.length > maxChars ? `${text.slice(0, maxChars)}…` : text;
}

export class VectorNotFoundError extends HVSError {
  constructor(readonly id: string) {
    super('VECTOR_NOT_FOUND', `vector '${id}' not found`, 404);
  }
}

export class DimensionMismatchError extends HVSError {
  constructor(
    readonly expected: number,
    readonly got: number,
  ) {
    super('DIMENSION_MISMATCH', `vector has dimension ${got}, but the store's dimension is ${expected}`, 400);
  }
}

/** The collection exists with another dimension or geometry than this client was opened with. */
export class CollectionMismatchError extends HVSError {
  constructor(
    readonly collection: string,
    readonly existing: { dimension: number; geometry: string },
    readonly requested: { dimension: number; geometry: string },
  ) {
    super(
      'COLLECTION_MISMATCH',
      `collection '${collection}' has dimension ${existing.dimension} and geometry ${existing.geometry}; ` +
        `this client asked for dimension ${requested.dimension} and geometry ${requested.geometry}`,
      409,
    );
  }
}

/** NaN/Infinity, a zero vector in spherical geometry, or not a numeric array at all. */
export class InvalidVectorError extends HVSError {
  constructor(reason: string) {
    super('INVALID_VECTOR', `invalid vector: ${reason}`, 400);
  }
}

export class InvalidMetadataError extends HVSError {
  constructor(reason: string) {
    super('INVALID_METADATA', `invalid metadata: ${reason}`, 400);
  }
}

export class InvalidFilterError extends HVSError {
  constructor(reason: string) {
    super('INVALID_FILTER', `invalid filter: ${reason}`, 400);
  }
}

export class InvalidIdError extends HVSError {
  constructor(readonly id: unknown) {
    super(
      'INVALID_ID',
      `invalid id ${describeValue(id)}: an id is 1-128 characters of A-Z a-z 0-9 _ - : = and starts with a letter or digit`,
      400,
    );
  }
}

/** A bad argument that is neither a vector, an id, metadata nor a filter (e.g. k = 0). */
export class InvalidArgumentError extends HVSError {
  constructor(message: string) {
    super('INVALID_ARGUMENT', message, 400);
  }
}

export class PayloadTooLargeError extends HVSError {
  constructor(
    readonly what: string,
    readonly bytes: number,
    readonly maxBytes: number,
  ) {
    super('PAYLOAD_TOO_LARGE', `${what} is ${bytes} bytes, more than the limit of ${maxBytes} bytes`, 413);
  }
}

export class HVSClosedError extends HVSError {
  constructor(what = 'HVS') {
    super('CLOSED', `${what} is closed`, 409);
  }
}

/** hnswlib or the file system failed underneath the index; the cause is kept, never leaked raw. */
export class VectorIndexError extends HVSError {
  constructor(operation: string, cause: unknown) {
    super(
      'INDEX_ERROR',
      `vector index ${operation} failed: ${cause instanceof Error ? cause.message : String(cause)}`,
      500,
      {
        cause,
      },
    );
  }
}

/** An ack token that fetchMessages did not give out for this mailbox (or not a token at all). */
export class InvalidAckTokenError extends HVSError {
  constructor(
    readonly token: unknown,
    readonly modelId: string,
  ) {
    super('INVALID_ACK_TOKEN', `${describeValue(token, 60)} is not an ack token of mailbox '${modelId}'`, 400);
  }
}

/** Metadata naming the key the patterns keep for themselves: only they write it, so that they can trust it. */
export class ReservedMetadataError extends HVSError {
  constructor(
    readonly key: string,
    readonly item?: number,
  ) {
    super(
      'RESERVED_METADATA',
      `metadata key '${key}' is reserved for HVS-NVM's own entries (facts, cache entries, documents)${item !== undefined ? ` (item ${item})` : ''}`,
      400,
    );
  }
}
