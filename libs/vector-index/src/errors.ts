// The errors the vector index and the distance maths throw: the root of HVS's hierarchy (HVSError, with a stable code
// and an HTTP-like status) and the few errors of vectors, ids and the index itself; @hvs-nvm/hvs re-exports them.
import { CodedError, describeValue, InvalidArgumentError, sharedErrorMember } from '@hvs-nvm/events';

/** The root of HVS's errors; it also counts the shared InvalidArgumentError as its own. */
export class HVSError extends CodedError {
  static override [Symbol.hasInstance](value: unknown): boolean {
    return sharedErrorMember(this, HVSError, value);
  }
}

/** The one bad-argument error of every lib (e.g. k = 0), from @hvs-nvm/events; an HVSError by `instanceof`. */
export { InvalidArgumentError };

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

/** hnswlib or the file system failed underneath the index; the cause is kept, never leaked raw. */
export class VectorIndexError extends HVSError {
  constructor(operation: string, cause: unknown) {
    super('INDEX_ERROR', `vector index ${operation} failed: ${cause instanceof Error ? cause.message : String(cause)}`, 500, {
      cause,
    });
  }
}
