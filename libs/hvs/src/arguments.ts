// Validation of the arguments HVS calls take: ids, metadata and options objects.
import { Id, jsonShapeProblem } from '@hvs-nvm/events';
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
    json = JSON.stringify(metadata, (key, value: unknown) => {
      if (key === '' && value === metadata) return value;
      if (typeof value === 'number' && !Number.isFinite(value)) throw new Error(`'${key}' is ${value}`);
      if (typeof value === 'bigint' || typeof value === 'function' || typeof value === 'symbol' || value === undefined) {
        throw new Error(`'${key}' is a ${typeof value}, which JSON cannot hold`);
      }
      if (key === '') throw new Error('empty keys are not allowed');
      // Dates arrive here already as their toJSON() text; a Map, Set or class instance would become {} silently.
      if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
        const proto: unknown = Object.getPrototypeOf(value);
        if (proto !== Object.prototype && proto !== null) {
          throw new Error(`'${key}' is a ${(value as object).constructor?.name ?? 'non-plain object'}, which JSON cannot hold`);
        }
      }
      return value;
    });
  } catch (err) {
    throw new InvalidMetadataError(`metadata is not JSON-serialisable: ${(err as Error).message}`);
  }
  const bytes = Buffer.byteLength(json);
  if (bytes > maxBytes) throw new PayloadTooLargeError('metadata', bytes, maxBytes);
  // The stored copy is the JSON round trip, so Dates and the like become what a reader will see.
  return JSON.parse(json) as Metadata;
}

/** Options arguments may be omitted (or null, as from JSON callers), but must be objects when given. */
export function optionsObject<T extends object>(options: T | null | undefined, call: string): T {
  if (options === undefined || options === null) return {} as T;
  if (typeof options !== 'object' || Array.isArray(options)) {
    throw new InvalidArgumentError(`${call} options must be an object, got ${typeof options}`);
  }
  return options;
}

export function validateId(id: unknown): string {
  if (typeof id !== 'string' || !Id.safeParse(id).success) throw new InvalidIdError(id);
  return id;
}
