// The hyperbolic lib's errors: bad hierarchies and bad options, each with a stable code and an HTTP status.
import { CodedError } from '@hvs-nvm/events';

/** Base of this lib's errors. */
export class HyperbolicError extends CodedError {
  constructor(message: string, code = 'HYPERBOLIC_ERROR', status = 500) {
    super(code, message, status);
  }
}

/** The edge list is not a hierarchy we can embed (malformed pair, self-loop, cycle, empty). */
export class InvalidHierarchyError extends HyperbolicError {
  constructor(message: string) {
    super(message, 'INVALID_HIERARCHY', 400);
  }
}

/** An option is out of range (dimension, sample size, epochs...). */
export class InvalidHyperbolicOptionError extends HyperbolicError {
  constructor(option: string, value: unknown, expected: string) {
    super(`invalid option ${option}=${String(value)}: expected ${expected}`, 'INVALID_HYPERBOLIC_OPTION', 400);
  }
}
