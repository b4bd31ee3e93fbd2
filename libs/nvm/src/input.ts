// Validation at the API edge: turns caller input into event data, or a typed error before anything is appended.
import { z } from 'zod';
import {
  BlockClassValue,
  describeValue,
  isPlainObject,
  jsonShapeProblem,
  messageOf,
  NotJsonError,
  optionsOf as sharedOptionsOf,
  strictJsonText,
  type EventData,
} from '@hvs-nvm/events';
import { MAX_TTL_SECONDS, type BlockMetadata, type BlockPermissions } from './block.js';
import { ttlFromMetadata } from './block-decider.js';
import { ContentTooLargeError, InvalidArgumentError, InvalidBlockError } from './errors.js';

export interface Limits {
  maxContentBytes: number;
  maxMetadataBytes: number;
}

/** Content is text, or a JSON object/array stored as its JSON text. */
export type BlockContent = string | Record<string, unknown> | unknown[];

const ActorList = z.array(z.string().min(1, 'an actor id is a non-empty string'));
export const PermissionsInput = z.strictObject({ read: ActorList.optional(), write: ActorList.optional() });

export const CreateBlockInputSchema = z.strictObject({
  name: z
    .string()
    .max(256, 'a block name is at most 256 characters')
    .refine((n) => n.trim().length > 0, 'a block name must not be empty or blank'),
  blockClass: BlockClassValue,
  content: z.unknown(),
  readonly: z.boolean().optional(),
  metadata: z.unknown().optional(),
  permissions: PermissionsInput.optional(),
  ttlSeconds: z.number().positive().max(MAX_TTL_SECONDS, `ttlSeconds is at most ${MAX_TTL_SECONDS} (ten years)`).optional(),
});
export type CreateBlockInput = Omit<z.input<typeof CreateBlockInputSchema>, 'content' | 'metadata'> & {
  content: BlockContent;
  metadata?: BlockMetadata;
};
/** The rest of a block, for the seed's positional form `createBlock(name, blockClass, content, options)`. */
export type CreateBlockOptions = Omit<CreateBlockInput, 'name' | 'blockClass' | 'content'>;

/** The object form of a positional createBlock call; options may not restate the positional fields. */
export function positionalCreateInput(name: string, blockClass: unknown, content: unknown, options: unknown): unknown {
  const rest = optionsOf(options as CreateBlockOptions | undefined, 'createBlock');
  for (const key of ['name', 'blockClass', 'content']) {
    if (Object.hasOwn(rest, key)) {
      throw new InvalidBlockError(`createBlock(name, blockClass, content, options): '${key}' is given twice`);
    }
  }
  return { ...rest, name, blockClass, content };
}

/** A caller's value for an error message (short: it sits inside a sentence about a block). */
export function describe(value: unknown): string {
  return describeValue(value, 60);
}

export { messageOf };

/** A call's options: omitted or null mean none; anything but a plain object is refused (an array's `filter` is a function). */
export function optionsOf<T extends object>(options: T | null | undefined, call: string): T {
  return sharedOptionsOf(options, call, (message) => new InvalidArgumentError(message));
}

/** JSON text of a value, refusing what JSON would silently change: NaN, functions, Maps, cycles, bigints. */
function strictJson(value: unknown, label: string): string {
  const shape = jsonShapeProblem(value, label);
  if (shape !== undefined) throw new InvalidBlockError(`${label} is not acceptable JSON: ${shape.message}`);
  try {
    return strictJsonText(value, label);
  } catch (err) {
    if (err instanceof NotJsonError) throw new InvalidBlockError(`${label} is not JSON-serialisable: ${err.message}`);
    throw err;
  }
}

/** Block content as stored: strings as they are, objects and arrays as JSON text; checked against the size limit. */
export function contentText(content: unknown, blockLabel: string, limits: Limits): string {
  let text: string;
  if (typeof content === 'string') text = content;
  else if (isPlainObject(content) || Array.isArray(content)) text = strictJson(content, `content of ${blockLabel}`);
  else {
    throw new InvalidBlockError(`content of ${blockLabel} must be a string or a JSON object, got ${describe(content)}`);
  }
  const bytes = Buffer.byteLength(text);
  if (bytes > limits.maxContentBytes) {
    throw new ContentTooLargeError(`content of ${blockLabel}`, bytes, limits.maxContentBytes);
  }
  return text;
}

/** Metadata as stored: a plain JSON object (its JSON round trip, so Dates become strings as a reader will see). */
export function metadataObject(metadata: unknown, blockLabel: string, limits: Limits): BlockMetadata {
  if (metadata === undefined) return {};
  if (!isPlainObject(metadata)) {
    throw new InvalidBlockError(`metadata of ${blockLabel} must be a plain JSON object, got ${describe(metadata)}`);
  }
  const json = strictJson(metadata, `metadata of ${blockLabel}`);
  const bytes = Buffer.byteLength(json);
  if (bytes > limits.maxMetadataBytes) {
    throw new ContentTooLargeError(`metadata of ${blockLabel}`, bytes, limits.maxMetadataBytes);
  }
  return JSON.parse(json) as BlockMetadata;
}

/** Validates a createBlock call into BlockCreated data (with a fresh block id). */
export function createdEventData(input: unknown, blockId: string, limits: Limits): EventData<'BlockCreated'> {
  const parsed = CreateBlockInputSchema.safeParse(input);
  if (!parsed.success) throw new InvalidBlockError(`invalid block: ${z.prettifyError(parsed.error)}`);
  const { name, blockClass, readonly, permissions, ttlSeconds } = parsed.data;
  const label = `block '${name}'`;
  const content = contentText(parsed.data.content, label, limits);
  const metadata = metadataObject(parsed.data.metadata, label, limits);
  let ttl = ttlSeconds;
  if (blockClass === 'cache') {
    if ('ttl_seconds' in metadata && ttlFromMetadata(metadata) === undefined) {
      throw new InvalidBlockError(
        `metadata.ttl_seconds of ${label} must be a positive number of at most ${MAX_TTL_SECONDS}, got ${JSON.stringify(metadata['ttl_seconds'])}`,
      );
    }
    ttl ??= ttlFromMetadata(metadata);
  } else if (ttlSeconds !== undefined) {
    throw new InvalidBlockError(`ttlSeconds is for cache blocks; ${label} is a ${blockClass} block`);
  }
  const data: EventData<'BlockCreated'> = {
    blockId,
    name,
    blockClass,
    content,
    readonly: readonly ?? false,
    metadata,
    permissions: (permissions ?? {}) as BlockPermissions,
  };
  if (ttl !== undefined) data.ttlSeconds = ttl;
  return data;
}

export function positiveInt(value: unknown, what: string, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max) {
    throw new InvalidArgumentError(`${what} must be an integer in [1, ${max}], got ${describe(value)}`);
  }
  return value;
}
