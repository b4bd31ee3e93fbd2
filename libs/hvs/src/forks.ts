// Forks of a collection: record where one branches (its vectors and mailboxes read from this log up to there), and
// delete one (its own streams and projection folders; the parent is never touched).
import { rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { hvsNames, mailNames, NAMESPACE_PATTERN } from '@hvs-nvm/events';
import { resolveAsOf, type AsOf, type ForkRecord } from '@hvs-nvm/eventstore';
import { InvalidArgumentError } from './errors.js';
import type { HvsSession } from './session.js';

export interface ForkOptions {
  /** The fork's collection name (its streams are HVS_<name> and MAIL_<name>). */
  name: string;
  /** Where it branches: a time or a cut (default: the head, or a view's point). */
  asOf?: AsOf;
}

export function validForkName(name: unknown): string {
  if (typeof name !== 'string' || !NAMESPACE_PATTERN.test(name)) {
    throw new InvalidArgumentError(`a fork name is 1-64 characters of A-Z a-z 0-9 _ -, got ${JSON.stringify(name)}`);
  }
  return name;
}

/** Records a fork of the session's collection; O(1): one event in the world registry. */
export async function forkCollection(session: HvsSession, options: ForkOptions): Promise<ForkRecord> {
  const name = validForkName(options.name);
  const mail = session.mailboxes.eventStore;
  const stores = { hvs: session.store, mail };
  const cut = options.asOf
    ? (await resolveAsOf(options.asOf, stores)).positions
    : { hvs: await session.store.headPosition(), mail: await mail.headPosition() };
  return session.worlds.createFork({ name, kind: 'hvs', parent: session.options.collection, cut }, [
    hvsNames(name).stream,
    mailNames(name).stream,
  ]);
}

/** Deletes a fork's records, streams and projection checkpoints under this session's storage path. */
export async function deleteCollectionFork(session: HvsSession, name: string): Promise<void> {
  validForkName(name);
  await session.worlds.deleteFork('hvs', name, [hvsNames(name).stream, mailNames(name).stream]);
  const { geometry, dimension, storagePath } = session.options;
  const dir = join(resolve(storagePath), 'projection', `${name}-${geometry}-${dimension}`);
  await rm(dir, { recursive: true, force: true });
  await rm(`${dir}.history`, { recursive: true, force: true });
}
