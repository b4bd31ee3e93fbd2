// Forks of a namespace: record where one branches (its blocks, names and facts read from this log up to there), and
// delete one (its own stream and projection folders; the parent is never touched).
import { rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { NAMESPACE_PATTERN, nvmNames } from '@hvs-nvm/events';
import { resolveAsOf, WorldRegistry, type AsOf, type ForkRecord } from '@hvs-nvm/eventstore';
import { InvalidArgumentError } from './errors.js';
import type { NvmSession } from './session.js';

export interface NvmForkOptions {
  /** The fork's namespace (its stream is NVM_<name>). */
  name: string;
  /** Where it branches: a time or a cut (default: the head, or a view's point). */
  asOf?: AsOf;
}

function validForkName(name: unknown): string {
  if (typeof name !== 'string' || !NAMESPACE_PATTERN.test(name)) {
    throw new InvalidArgumentError(`a fork name is 1-64 characters of A-Z a-z 0-9 _ -, got ${JSON.stringify(name)}`);
  }
  return name;
}

async function withRegistry<T>(session: NvmSession, work: (worlds: WorldRegistry) => Promise<T>): Promise<T> {
  const worlds = await WorldRegistry.open(session.endpoint.nc, { replicas: session.endpoint.replicas });
  try {
    return await work(worlds);
  } finally {
    await worlds.close();
  }
}

/** Records a fork of the session's namespace; O(1): one event in the world registry. */
export function forkNamespace(session: NvmSession, options: NvmForkOptions): Promise<ForkRecord> {
  const name = validForkName(options.name);
  return withRegistry(session, async (worlds) => {
    const nvm = options.asOf
      ? (await resolveAsOf(options.asOf, { nvm: session.store })).positions.nvm!
      : await session.store.headPosition();
    return worlds.createFork({ name, kind: 'nvm', parent: session.options.namespace, cut: { nvm } }, [nvmNames(name).stream]);
  });
}

export function namespaceForks(session: NvmSession): Promise<ForkRecord[]> {
  return withRegistry(session, async (worlds) => (await worlds.forks()).filter((f) => f.kind === 'nvm'));
}

/** Deletes a fork's record, stream and block-view checkpoints under this session's storage path. */
export async function deleteNamespaceFork(session: NvmSession, name: string): Promise<void> {
  validForkName(name);
  await withRegistry(session, (worlds) => worlds.deleteFork('nvm', name, [nvmNames(name).stream]));
  const dir = join(resolve(session.options.storagePath), 'projection', `nvm-${name}`);
  await rm(dir, { recursive: true, force: true });
  await rm(`${dir}.history`, { recursive: true, force: true });
}
