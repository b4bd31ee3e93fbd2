// HVS's errors: a small hierarchy, each with a stable code and the HTTP-like status it maps to.
import { describeValue, HVSError } from '@hvs-nvm/vector-index';

// The root and the errors of vectors, ids and the index live with the index (libs/vector-index); the same classes here.
export {
  HVSError,
  describeValue,
  DimensionMismatchError,
  InvalidVectorError,
  InvalidIdError,
  InvalidArgumentError,
  VectorIndexError,
} from '@hvs-nvm/vector-index';

export class VectorNotFoundError extends HVSError {
  constructor(readonly id: string) {
    super('VECTOR_NOT_FOUND', `vector '${id}' not found`, 404);
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
