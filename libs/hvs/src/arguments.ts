// Validation of the arguments HVS calls take: ids, metadata and options objects.
import { Id, jsonShapeProblem, NotJsonError, optionsOf, strictJsonText } from '@hvs-nvm/events';
import { InvalidArgumentError, InvalidIdError, InvalidMetadataError, PayloadTooLargeError } from './errors.js';
import type { Metadata } from './records.js';

export function validateMetadata(metadata: unknown, maxBytes: number): Metadata {
  if (metadata === undefined || metadata === null) return {};
  if (typeof metadata !== 'object' || Array.isArray(metadata) || Object.getPrototypeOf(metadata) !== Object.prototype) {
    throw new InvalidMetadataError(`metadata must be a plain JSON object, got ${Array.isArray(metadata) ? 'an array' : typeof metadata}`);
  }
  const shape = jsonShapeProblem(metadata, 'metadata');
  if (shape !== undefined) throw new InvalidMetadataError(shape.message);
  let json: string;
  try {
    json = strictJsonText(metadata, 'metadata', { refuseEmptyKeys: true, refuseUndefinedProperties: true });
  } catch (err) {
    if (err instanceof NotJsonError) throw new InvalidMetadataError(`metadata is not JSON-serialisable: ${err.message}`);
    throw err;
  }
  const bytes = Buffer.byteLength(json);
  if (bytes > maxBytes) throw new PayloadTooLargeError('metadata', bytes, maxBytes);
  // The stored copy is the JSON round trip, so Dates and the like become what a reader will see.
  return JSON.parse(json) as Metadata;
}

/** Options arguments may be omitted (or null, as from JSON callers), but must be objects when given. */
export function optionsObject<T extends object>(options: T | null | undefined, call: string): T {
  return optionsOf(options, call, (message) => new InvalidArgumentError(message));
}

export function validateId(id: unknown): string {
  if (typeof id !== 'string' || !Id.safeParse(id).success) throw new InvalidIdError(id);
  return id;
}
