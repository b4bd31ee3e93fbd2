// The errors the vector index and the distance maths throw: the root of HVS's hierarchy (HVSError, with a stable code
// and an HTTP-like status) and the few errors of vectors, ids and the index itself; @hvs-nvm/hvs re-exports them.
import { CodedError, describeValue } from '@hvs-nvm/events';

export class HVSError extends CodedError {}

/** Shows a caller's value in a message; one describer for every lib. */
export { describeValue };

export class DimensionMismatchError extends HVSError {
  constructor(
    readonly expected: number,
    readonly got: number,
  ) {
    super('DIMENSION_MISMATCH', `vector has dimension ${got}, but the store's dimension is ${expected}`, 400);
  }
}

/** NaN/Infinity, a zero vector in spherical geometry, or not a numeric array at all. */
export class InvalidVectorError extends HVSError {
  constructor(reason: string) {
    super('INVALID_VECTOR', `invalid vector: ${reason}`, 400);
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

/** hnswlib or the file system failed underneath the index; the cause is kept, never leaked raw. */
export class VectorIndexError extends HVSError {
  constructor(operation: string, cause: unknown) {
    super('INDEX_ERROR', `vector index ${operation} failed: ${cause instanceof Error ? cause.message : String(cause)}`, 500, {
      cause,
    });
  }
}
