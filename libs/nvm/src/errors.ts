// NVM's errors: a small hierarchy, each with a stable code and the HTTP status it maps to.
import { CodedError, InvalidArgumentError, sharedErrorMember } from '@hvs-nvm/events';
import {
  EventStoreClosedError,
  EventStoreError,
  EventStoreUnavailableError,
  EventValidationError,
  ProjectionTimeoutError,
  ReadOnlyViewError,
} from '@hvs-nvm/eventstore';

/** The root of NVM's errors; it also counts the shared InvalidArgumentError as its own. */
export class NVMError extends CodedError {
  static override [Symbol.hasInstance](value: unknown): boolean {
    return sharedErrorMember(this, NVMError, value);
  }
}

/** The one bad-argument error of every lib (actor ids, k, query text), from @hvs-nvm/events; an NVMError by `instanceof`. */
export { InvalidArgumentError };

export class BlockNotFoundError extends NVMError {
  constructor(
    readonly blockId: string,
    detail = '',
  ) {
    super('BLOCK_NOT_FOUND', `block '${blockId}' not found${detail ? ` (${detail})` : ''}`, 404);
  }
}

export class ReadOnlyBlockError extends NVMError {
  constructor(
    readonly blockId: string,
    readonly blockName: string,
  ) {
    super('READ_ONLY_BLOCK', `block '${blockName}' (${blockId}) is read-only`, 403);
  }
}

export class PermissionDeniedError extends NVMError {
  constructor(
    readonly actor: string,
    readonly access: 'read' | 'write' | 'act as',
    /** The block refused; for 'act as', the actor this view asked to become. */
    readonly blockId: string,
  ) {
    super(
      'PERMISSION_DENIED',
      access === 'act as'
        ? `actor '${actor}' may not act as '${blockId}': only the system actor can act for another`
        : `actor '${actor}' may not ${access} block '${blockId}'`,
      403,
    );
  }
}

export class BlockExistsError extends NVMError {
  constructor(
    readonly blockName: string,
    /** Only when the caller may read the existing block: a hidden block's id is not given away. */
    readonly existingBlockId?: string,
  ) {
    super('BLOCK_EXISTS', `a block named '${blockName}' already exists${existingBlockId ? ` (${existingBlockId})` : ''}`, 409);
  }
}

export class ConcurrencyError extends NVMError {
  constructor(
    readonly blockId: string,
    readonly expectedVersion: number | undefined,
    readonly actualVersion: number,
  ) {
    super(
      'CONCURRENCY',
      expectedVersion === undefined
        ? `block '${blockId}' kept changing under this update (now at version ${actualVersion}); gave up retrying`
        : `block '${blockId}' is at version ${actualVersion}, but version ${expectedVersion} was expected`,
      412,
    );
  }
}

export class InvalidBlockError extends NVMError {
  constructor(message: string) {
    super('INVALID_BLOCK', message, 400);
  }
}

export class ContentTooLargeError extends NVMError {
  constructor(
    readonly what: string,
    readonly bytes: number,
    readonly maxBytes: number,
    detail = '',
  ) {
    super('CONTENT_TOO_LARGE', `${what} is ${bytes} bytes; the limit is ${maxBytes} bytes${detail}`, 413);
  }
}

export class NVMClosedError extends NVMError {
  constructor() {
    super('NVM_CLOSED', 'the NVM is closed', 409);
  }
}

export class NVMUnavailableError extends NVMError {
  constructor(message: string, options?: ErrorOptions) {
    super('NVM_UNAVAILABLE', message, 503, options);
  }
}

/** Maps event-store errors to NVM errors at the boundary; NVM errors pass through untouched. */
export function toNVMError(err: unknown): unknown {
  if (err instanceof NVMError || !(err instanceof EventStoreError) || err instanceof ReadOnlyViewError) return err;
  if (err instanceof EventStoreClosedError) return new NVMClosedError();
  if (err instanceof EventValidationError) return new InvalidBlockError(err.message);
  if (err instanceof ProjectionTimeoutError) return new NVMError('NVM_TIMEOUT', err.message, 504, { cause: err });
  if (err instanceof EventStoreUnavailableError) return new NVMUnavailableError(err.message, { cause: err });
  return new NVMError(err.code, err.message, err.status, { cause: err });
}

/** A JSON Patch that is not RFC 6902 (unknown op, missing value, a path that is not a JSON Pointer, too many ops). */
export class InvalidPatchError extends NVMError {
  constructor(message: string) {
    super('INVALID_PATCH', message, 400);
  }
}

/** A well-formed patch that does not apply to the block's current content (a path that does not resolve). */
export class PatchNotApplicableError extends NVMError {
  constructor(
    readonly blockId: string,
    readonly operationIndex: number | undefined,
    detail: string,
  ) {
    super('PATCH_NOT_APPLICABLE', `patch does not apply to block '${blockId}'${at(operationIndex)}: ${detail}`, 422);
  }
}

/** A patch's `test` operation found another value: nothing is changed (RFC 6902 §5). */
export class PatchTestFailedError extends NVMError {
  constructor(
    readonly blockId: string,
    readonly operationIndex: number | undefined,
    readonly path: string,
  ) {
    super(
      'PATCH_TEST_FAILED',
      `patch test failed on block '${blockId}'${at(operationIndex)}: '${path}' does not hold the tested value`,
      409,
    );
  }
}

/** A patch was sent to a block whose content is text, not JSON. */
export class BlockNotJsonError extends NVMError {
  constructor(readonly blockId: string) {
    super('BLOCK_NOT_JSON', `block '${blockId}' holds text that is not JSON, so a JSON Patch cannot apply; use updateBlock`, 422);
  }
}

const at = (index: number | undefined) => (index === undefined ? '' : ` (operation ${index})`);
