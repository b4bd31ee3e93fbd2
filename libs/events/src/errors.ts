// The root every lib's error hierarchy grows from (a stable code and the HTTP status it maps to), and the one error
// every lib shares: a bad argument.

export class CodedError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 500,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * A bad argument that no more specific error names (k = 0, an unknown option, a bad actor id). One class for every
 * lib: HVS and NVM re-export it, and each domain's root (`HVSError`, `NVMError`) counts it as one of its own through
 * {@link sharedErrorMember}, so `catch (e) { if (e instanceof HVSError) … }` still catches it, as the seed's guide does.
 */
export class InvalidArgumentError extends CodedError {
  constructor(message: string) {
    super('INVALID_ARGUMENT', message, 400);
  }
}

/**
 * The `Symbol.hasInstance` of a domain's root error class (`static [Symbol.hasInstance](v) { return
 * sharedErrorMember(this, Root, v); }`): its own subclasses by prototype, plus the errors every domain shares
 * ({@link InvalidArgumentError}). Subclasses inherit the static method with `cls` bound to themselves, for whom
 * only the prototype check applies, so `e instanceof DimensionMismatchError` stays exact.
 */
export function sharedErrorMember(cls: unknown, root: abstract new (...args: never[]) => Error, value: unknown): boolean {
  if (Function.prototype[Symbol.hasInstance].call(cls, value)) return true;
  return cls === root && value instanceof InvalidArgumentError;
}
