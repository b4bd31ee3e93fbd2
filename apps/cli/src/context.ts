// What every command shares: global options, opening the stack on a data dir, printing results, and exit codes.
import { join, resolve } from 'node:path';
import { Command, CommanderError } from 'commander';
import { defaultEncoder, hashingEncoder, type Encoder } from '@hvs-nvm/encoders';
import { CodedError } from '@hvs-nvm/events';
import { HVSNVMIntegration, type IntegrationOptions } from '@hvs-nvm/hvs-nvm';
import { CollectionMismatchError, HVS, type Geometry } from '@hvs-nvm/hvs';
import { loadConfig, type RuntimeConfig } from '@hvs-nvm/runtime';
import { Api, Collections, DEFAULT_COLLECTION, describeError } from '@hvs-nvm/server-app';

export const EXIT = { ok: 0, runtime: 1, usage: 2, notFound: 3 } as const;

export interface GlobalOptions {
  dataDir?: string;
  natsUrl?: string;
  json?: boolean;
  encoder: 'sentence' | 'hashing';
}

/** A usage error found after parsing (a bad JSON argument, a file of the wrong kind): exit code 2. */
export class UsageError extends CodedError {
  constructor(message: string) {
    super('USAGE', message, 400);
  }
}

/** Something asked for does not exist: exit code 3. */
export class NotFoundError extends CodedError {
  constructor(message: string) {
    super('NOT_FOUND', message, 404);
  }
}

export function globals(cmd: Command): GlobalOptions {
  return cmd.optsWithGlobals<GlobalOptions>();
}

export function configOf(opts: GlobalOptions): RuntimeConfig {
  return loadConfig({ dataDir: opts.dataDir, natsUrl: opts.natsUrl });
}

export interface Stack {
  config: RuntimeConfig;
  dataDir: string;
  encoder: Encoder;
  integration: HVSNVMIntegration;
  /** The `default` collection (the vector routes without a collection): integration.hvs unless its shape differs. */
  defaultHvs: HVS;
  collections: Collections;
  api: Api;
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

export function storePaths(dataDir: string): { hvsPath: string; nvmPath: string } {
  return { hvsPath: join(dataDir, 'hvs'), nvmPath: join(dataDir, 'nvm') };
}

export async function openEncoder(name: GlobalOptions['encoder']): Promise<Encoder> {
  return name === 'hashing' ? hashingEncoder() : defaultEncoder();
}

/** The memory store's collection when `default` has another shape than the encoder's vectors. */
export const MEMORY_COLLECTION = 'memory';

/** The default collection's shape, as `start --dimension --geometry` asks (each defaults to the encoder's). */
export interface DefaultCollection {
  dimension?: number;
  geometry?: Geometry;
}

/**
 * Opens HVS and NVM under <data-dir>/hvs and <data-dir>/nvm, on NATS_URL or the data dir's embedded server. The
 * memory store (the integration: encoder-sized, spherical) uses the `default` collection when its shape is the
 * default's; otherwise (`start --dimension 3`, or a data dir whose `default` was created so) it uses `memory`, and
 * `default` is opened on its own with its own shape.
 */
export async function openStack(
  opts: GlobalOptions,
  more: Pick<IntegrationOptions, 'onProgress'> & { defaultCollection?: DefaultCollection } = {},
): Promise<Stack> {
  const config = configOf(opts);
  const dataDir = resolve(config.dataDir);
  const encoder = await openEncoder(opts.encoder);
  const { defaultCollection: wanted, ...integrationMore } = more;
  const memoryShape = { dimension: encoder.dimension, geometry: 'spherical' as Geometry };
  const shape = { dimension: wanted?.dimension ?? memoryShape.dimension, geometry: wanted?.geometry ?? memoryShape.geometry };
  const open = (collection: string) =>
    HVSNVMIntegration.open({
      ...storePaths(dataDir),
      encoder,
      collection,
      ...(config.natsUrl ? { natsUrl: config.natsUrl } : {}),
      ...integrationMore,
    });
  const sameAsMemory = shape.dimension === memoryShape.dimension && shape.geometry === memoryShape.geometry;
  let integration: HVSNVMIntegration;
  let defaultShape: { dimension: number; geometry: Geometry } | undefined = sameAsMemory ? undefined : shape;
  if (sameAsMemory) {
    try {
      integration = await open(DEFAULT_COLLECTION);
    } catch (err) {
      // `default` was made with another shape (an earlier `start --dimension`): it keeps it, memory goes to `memory`.
      if (!(err instanceof CollectionMismatchError) || wanted?.dimension !== undefined || wanted?.geometry !== undefined) throw err;
      defaultShape = err.existing as { dimension: number; geometry: Geometry };
      integration = await open(MEMORY_COLLECTION);
    }
  } else {
    integration = await open(MEMORY_COLLECTION);
  }
  let defaultHvs = integration.hvs;
  let collections: Collections | undefined;
  try {
    if (defaultShape) {
      defaultHvs = await HVS.open({
        storagePath: storePaths(dataDir).hvsPath,
        ...integration.hvs.natsConnectionOptions(),
        collection: DEFAULT_COLLECTION,
        ...defaultShape,
      });
    }
    const reasons: Record<string, string> = {
      [DEFAULT_COLLECTION]: 'the vector routes without a collection use it',
      [integration.hvs.options.collection]: 'the memory store (facts, cache, mail) uses it',
    };
    collections = await Collections.open({ fixed: defaultHvs === integration.hvs ? [defaultHvs] : [defaultHvs, integration.hvs], reasons });
  } catch (err) {
    if (defaultHvs !== integration.hvs) await defaultHvs.close();
    await integration.close();
    throw err;
  }
  const registry = collections;
  const api = new Api({ integration, hvs: integration.hvs, nvm: integration.nvm, encoder, collections: registry });
  const close = () =>
    api
      .close()
      .finally(() => registry.close())
      .finally(() => (defaultHvs !== integration.hvs ? defaultHvs.close() : undefined))
      .finally(() => integration.close());
  return { config, dataDir, encoder, integration, defaultHvs, collections: registry, api, close, [Symbol.asyncDispose]: close };
}

/** Prints `value` as one JSON line with --json, else the human text. */
export function print(opts: GlobalOptions, value: unknown, human: () => string): void {
  process.stdout.write(`${opts.json ? JSON.stringify(value) : human()}\n`);
}

/** Parses a JSON command-line argument, or says which one was bad. */
export function parseJsonArg(text: string, what: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new UsageError(`${what} is not valid JSON: ${(err as Error).message}`);
  }
}

export function parseIntArg(text: string, what: string, min = 1): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`${what} must be an integer ≥ ${min}, got '${text}'`);
  return n;
}

/** The exit code for an error: 2 usage/validation, 3 not found, 1 anything else. */
export function exitCodeOf(err: unknown): number {
  if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
  if (err instanceof UsageError) return EXIT.usage;
  const { status } = describeError(err);
  if (status === 404) return EXIT.notFound;
  if (status === 400 || status === 413 || status === 415) return EXIT.usage;
  return EXIT.runtime;
}

/** One line on stderr (a JSON line with --json): the error's code and message; a stack only for unknown errors. */
export function reportError(opts: Partial<GlobalOptions>, err: unknown): void {
  const typed = describeError(err);
  const message = typed.code === 'INTERNAL' && err instanceof Error ? err.message : typed.message;
  const code = err instanceof UsageError || err instanceof NotFoundError ? err.code : typed.code;
  if (opts.json) process.stderr.write(`${JSON.stringify({ error: { code, message } })}\n`);
  else process.stderr.write(`hvs-nvm: ${message}${code === 'INTERNAL' ? '' : ` (${code})`}\n`);
}

/** Resolves on the first SIGINT or SIGTERM. */
export function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolveSignal) => {
    const on = (s: NodeJS.Signals) => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      resolveSignal(s);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
}
