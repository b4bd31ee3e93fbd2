// What every command shares: global options, opening the stack on a data dir, printing results, and exit codes.
// The stores, the server and the encoders are imported when a command runs, not when the program is built: `--help`,
// `--version` and usage errors load only commander and the event schemas (see tests/e2e/cli-bin.test.ts).
import { join, resolve } from 'node:path';
import { Command, CommanderError } from 'commander';
import type { Encoder } from '@hvs-nvm/encoders';
import { CodedError } from '@hvs-nvm/events';
import type { AsOf, HVSNVMIntegration, IntegrationOptions } from '@hvs-nvm/hvs-nvm';
import type { RuntimeConfig } from '@hvs-nvm/runtime';
import type { Api, Collections, Namespaces } from '@hvs-nvm/server-app';
import type { Geometry, HVS } from '@hvs-nvm/hvs';

export const EXIT = { ok: 0, runtime: 1, usage: 2, notFound: 3 } as const;

export interface GlobalOptions {
  dataDir?: string;
  natsUrl?: string;
  json?: boolean;
  encoder: 'sentence' | 'hashing';
  /** Read the world as it was at this ISO time or cut (`hvs:12,mail:3,nvm:40`); writes are refused. */
  asOf?: string;
  /** The world to open (after its alias, which `hvs-nvm promote` sets); default 'default'. */
  world?: string;
  /** Where the collections of `/v1/collections` (and `collections`, `import --collection`) are read. */
  projection?: 'local' | 'remote';
  /** Their projector shards: `N`, `name=N,…` or both (needs `--projection remote`). */
  shards?: string;
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

export async function configOf(opts: GlobalOptions): Promise<RuntimeConfig> {
  const { loadConfig } = await import('@hvs-nvm/runtime');
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
  /** The NVM namespaces (`default` is integration.nvm). */
  namespaces: Namespaces;
  api: Api;
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

export function storePaths(dataDir: string): { hvsPath: string; nvmPath: string } {
  return { hvsPath: join(dataDir, 'hvs'), nvmPath: join(dataDir, 'nvm') };
}

export async function openEncoder(name: GlobalOptions['encoder']): Promise<Encoder> {
  const { defaultEncoder, hashingEncoder } = await import('@hvs-nvm/encoders');
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
  const config = await configOf(opts);
  const dataDir = resolve(config.dataDir);
  const asOf = opts.asOf !== undefined ? await asOfArg(opts.asOf) : undefined;
  const encoder = await openEncoder(opts.encoder);
  const [
    { HVSNVMIntegration },
    { Api, Collections: CollectionRegistry, CollectionReads, DEFAULT_COLLECTION, Namespaces: NamespaceRegistry, DEFAULT_NAMESPACE },
    { hashingEncoder },
    { CollectionMismatchError, HVS: HVSClient },
  ] = await Promise.all([import('@hvs-nvm/hvs-nvm'), import('@hvs-nvm/server-app'), import('@hvs-nvm/encoders'), import('@hvs-nvm/hvs')]);
  const { defaultCollection: wanted, ...integrationMore } = more;
  // Checked before anything is opened: a bad --shards is a usage error that starts nothing.
  const reads = CollectionReads.parse({
    ...(opts.projection !== undefined ? { projection: opts.projection } : {}),
    ...(opts.shards !== undefined ? { shards: opts.shards } : {}),
  });
  const common = {
    ...storePaths(dataDir),
    encoder,
    ...(config.natsUrl ? { natsUrl: config.natsUrl } : {}),
    ...(asOf ? { asOf } : {}),
  };
  const openWorld = () =>
    HVSNVMIntegration.open({
      ...common,
      // By name, so that `hvs-nvm promote <fork>` switches every later command (and `start`) to the fork.
      world: opts.world ?? 'default',
      // A promoted fork re-embedded with the hashing encoder of another dimension is opened with that one.
      encoderForWorld: (made) =>
        opts.encoder === 'hashing' && made.encoder.startsWith('hashing') ? hashingEncoder(made.dimension) : undefined,
      ...integrationMore,
    });
  // The memory store's vectors beside a `default` of another shape (its blocks stay in the default namespace).
  const openMemory = () => HVSNVMIntegration.open({ ...common, collection: MEMORY_COLLECTION, ...integrationMore });
  const memoryShape = { dimension: encoder.dimension, geometry: 'spherical' as Geometry };
  const shape = { dimension: wanted?.dimension ?? memoryShape.dimension, geometry: wanted?.geometry ?? memoryShape.geometry };
  const sameAsMemory = shape.dimension === memoryShape.dimension && shape.geometry === memoryShape.geometry;
  let integration: HVSNVMIntegration;
  let defaultShape: { dimension: number; geometry: Geometry } | undefined = sameAsMemory ? undefined : shape;
  if (sameAsMemory) {
    try {
      integration = await openWorld();
    } catch (err) {
      // `default` was made with another shape (an earlier `start --dimension`): it keeps it, memory goes to `memory`.
      if (
        !(err instanceof CollectionMismatchError) ||
        err.collection !== DEFAULT_COLLECTION ||
        wanted?.dimension !== undefined ||
        wanted?.geometry !== undefined
      ) {
        throw err;
      }
      defaultShape = err.existing as { dimension: number; geometry: Geometry };
      integration = await openMemory();
    }
  } else {
    integration = await openMemory();
  }
  let defaultHvs = integration.hvs;
  let collections: Collections | undefined;
  let namespaces: Namespaces | undefined;
  try {
    if (defaultShape) {
      defaultHvs = await HVSClient.open({
        storagePath: storePaths(dataDir).hvsPath,
        ...integration.hvs.natsConnectionOptions(),
        collection: DEFAULT_COLLECTION,
        ...defaultShape,
      });
    }
    const own = integration.hvs.options.collection;
    const reasons: Record<string, string> = {
      [DEFAULT_COLLECTION]: 'the vector routes without a collection use it',
      [own]: 'the memory store (facts, cache, mail) uses it',
    };
    collections = await CollectionRegistry.open({
      fixed: defaultHvs === integration.hvs ? [defaultHvs] : [defaultHvs, integration.hvs],
      // A promoted fork is `default` to the vector routes, as it is to everything else.
      ...(own !== DEFAULT_COLLECTION && defaultHvs === integration.hvs ? { aliases: { [DEFAULT_COLLECTION]: integration.hvs } } : {}),
      reasons,
      reads,
    });
    namespaces = await NamespaceRegistry.open({
      fixed: { [DEFAULT_NAMESPACE]: integration.nvm },
      reasons: { [DEFAULT_NAMESPACE]: 'the memory store and the block routes without a namespace use it' },
      storagePath: integration.nvm.storagePath,
      connection: integration.hvs.natsConnectionOptions(),
      encoder: integration.encoder,
    });
  } catch (err) {
    await collections?.close();
    if (defaultHvs !== integration.hvs) await defaultHvs.close();
    await integration.close();
    throw err;
  }
  const registry = collections;
  const spaces = namespaces;
  // The world's own encoder (a re-embedded fork's may differ from the one asked for).
  const api = new Api({
    integration,
    hvs: integration.hvs,
    nvm: integration.nvm,
    encoder: integration.encoder,
    collections: registry,
    namespaces: spaces,
  });
  const close = () =>
    api
      .close()
      .finally(() => spaces.close())
      .finally(() => registry.close())
      .finally(() => (defaultHvs !== integration.hvs ? defaultHvs.close() : undefined))
      .finally(() => integration.close());
  return {
    config,
    dataDir,
    encoder: integration.encoder,
    integration,
    defaultHvs,
    collections: registry,
    namespaces: spaces,
    api,
    close,
    [Symbol.asyncDispose]: close,
  };
}

/** Parses `--as-of`: an ISO 8601 time or a cut (`hvs:12,mail:3,nvm:40`, as `hvs-nvm cut` prints it). */
export async function asOfArg(text: string): Promise<AsOf> {
  // Loaded here, not at the top: `--help` must not load the stores.
  const { parseAsOf } = await import('@hvs-nvm/hvs-nvm');
  const asOf = parseAsOf(text);
  if (!asOf) throw new UsageError(`--as-of '${text}' is neither an ISO 8601 time nor a cut like hvs:12,mail:3,nvm:40`);
  return asOf;
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
export async function exitCodeOf(err: unknown): Promise<number> {
  if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
  if (err instanceof UsageError) return EXIT.usage;
  const { describeError } = await import('@hvs-nvm/server-app');
  const { status } = describeError(err);
  if (status === 404) return EXIT.notFound;
  if (status === 400 || status === 413 || status === 415) return EXIT.usage;
  return EXIT.runtime;
}

/** One line on stderr (a JSON line with --json): the error's code and message; a stack only for unknown errors. */
export async function reportError(opts: Partial<GlobalOptions>, err: unknown): Promise<void> {
  const { describeError } = await import('@hvs-nvm/server-app');
  const typed = describeError(err);
  const message = typed.code === 'INTERNAL' && err instanceof Error ? err.message : typed.message;
  const code = err instanceof UsageError || err instanceof NotFoundError ? err.code : typed.code;
  if (opts.json) process.stderr.write(`${JSON.stringify({ error: { code, message } })}\n`);
  else process.stderr.write(`hvs-nvm: ${message}${code === 'INTERNAL' ? '' : ` (${code})`}\n`);
}

/**
 * Under `npx` / `npm exec`, npm runs the bin as `sh -c 'hvs-nvm' …` and forwards a SIGTERM to that shell, which dies
 * without passing it on: the command would run on under PID 1 with its nats-server. So when the parent process goes
 * away, the command sends itself the SIGTERM the shell swallowed, and stops as it does on a signal.
 */
export function followParent(pollMs = 250): void {
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(timer);
    process.kill(process.pid, 'SIGTERM');
  }, pollMs);
  timer.unref();
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
