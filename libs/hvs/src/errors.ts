// HVS's errors: a small hierarchy, each with a stable code and the HTTP-like status it maps to.
import { HVSError } from '@hvs-nvm/vector-index';

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
