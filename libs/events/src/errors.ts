// The root every lib's error hierarchy grows from: a stable code and the HTTP status it maps to.
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
