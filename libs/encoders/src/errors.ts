// The encoders' errors: a small hierarchy, each with a stable code and the HTTP status it maps to.
import { CodedError, describeValue } from '@hvs-nvm/events';

export interface EncoderErrorOptions extends ErrorOptions {
  readonly code?: string;
  readonly status?: number;
}

/** An encoder failed to turn text into a vector (the model threw or returned something malformed). */
export class EncoderError extends CodedError {
  constructor(message: string, options: EncoderErrorOptions = {}) {
    super(
      options.code ?? 'ENCODER_ERROR',
      message,
      options.status ?? 500,
      options.cause === undefined ? undefined : { cause: options.cause },
    );
  }
}

/** The encoder's model (or the package holding it) cannot be loaded; nothing was encoded. */
export class EncoderUnavailableError extends EncoderError {
  constructor(message: string, options: ErrorOptions = {}) {
    super(message, { ...options, code: 'ENCODER_UNAVAILABLE', status: 503 });
  }
}

/** The caller passed something that is not text (or too much of it) to `encode` / `encodeBatch`. */
export class InvalidEncoderInputError extends EncoderError {
  constructor(message: string) {
    super(message, { code: 'INVALID_ENCODER_INPUT', status: 400 });
  }
}

/** An encoder was constructed with an option out of range (dimension, cache or batch size). */
export class InvalidEncoderOptionError extends EncoderError {
  constructor(option: string, value: unknown, expected: string) {
    super(`invalid encoder option ${option}=${describeValue(value)}: expected ${expected}`, {
      code: 'INVALID_ENCODER_OPTION',
      status: 400,
    });
  }
}

/** A short, safe rendering of an offending value for error messages; one describer for every lib. */
export { describeValue };
