// Forks of a whole world (HVS collection, mailboxes and NVM namespace under one name): branching at a point, with
// the same encoder (the parent's log is read in place) or another one (the content is re-embedded from the log),
// listing, deleting, and aliases that let clients switch to a fork.
import { z } from 'zod';
import { openNatsEndpoint, resolveAsOf, WorldRegistry, type AsOf, type ForkRecord } from '@hvs-nvm/eventstore';
import { hvsNames, mailNames, NAMESPACE_PATTERN } from '@hvs-nvm/events';
import type { Geometry, HVS } from '@hvs-nvm/hvs';
import type { NVM } from '@hvs-nvm/nvm';
import type { Encoder } from '@hvs-nvm/encoders';
import { parseOptions } from '../input.js';
import type { ReembedProgress, ReembedResult } from './reembed.js';

export interface WorldForkOptions {
  /** The fork's name: its collection and namespace (streams HVS_<name>, MAIL_<name>, NVM_<name>). */
  name: string;
  /** Where it branches: a time or a cut (default: now). */
  asOf?: AsOf;
  /** Another encoder: the fork's vectors are made again from the content in the log. */
  encoder?: Encoder;
  /** Another geometry for the content index: re-embedded too. */
  geometry?: Geometry;
  /** Progress of the re-embedding (vectors done of total). */
  onProgress?: (progress: ReembedProgress) => void;
}

export const WorldForkOptionsSchema = z.strictObject({
  name: z.string().regex(NAMESPACE_PATTERN, 'a fork name is 1-64 characters of A-Z a-z 0-9 _ -'),
  asOf: z.any().optional(),
  encoder: z.any().optional(),
  geometry: z.enum(['euclidean', 'spherical', 'hyperboloid']).optional(),
  onProgress: z.any().optional(),
});

/** One fork of a world, as listed: its HVS and NVM records merged by name. */
export interface WorldFork {
  name: string;
  parent: string;
  cut: { hvs?: number; mail?: number; nvm?: number };
  createdAt: string;
  reembedded?: { encoder: string; dimension: number; geometry: string };
}

export function checkForkOptions(options: WorldForkOptions): WorldForkOptions {
  parseOptions(WorldForkOptionsSchema, options, 'fork');
  return options;
}

/** Whether the fork needs its own vectors (another encoder, dimension or geometry than the parent's). */
export function needsReembedding(hvs: HVS, encoder: Encoder, options: WorldForkOptions): boolean {
  const next = options.encoder ?? encoder;
  return next.name !== encoder.name || next.dimension !== hvs.dimension || (options.geometry ?? hvs.geometry) !== hvs.geometry;
}

/**
 * Records the fork of both stores: O(1) in the log (two events in the world registry). A re-embedded fork records
 * no HVS position (its vectors will be its own), only the mailboxes' and NVM's.
 */
export async function recordWorldFork(
  hvs: HVS,
  nvm: NVM,
  encoder: Encoder,
  options: WorldForkOptions,
): Promise<{ cut: Required<ForkRecord['cut']>; reembed: boolean }> {
  const stores = { hvs: hvs.eventStore, mail: hvs.mailEventStore, nvm: nvm.eventStore };
  const cut = options.asOf
    ? ((await resolveAsOf(options.asOf, stores)).positions as Required<ForkRecord['cut']>)
    : { hvs: await stores.hvs.headPosition(), mail: await stores.mail.headPosition(), nvm: await stores.nvm.headPosition() };
  const reembed = needsReembedding(hvs, encoder, options);
  const next = options.encoder ?? encoder;
  await nvm.recordFork({ name: options.name, asOf: { nvm: cut.nvm } });
  const worlds = await registryOf(hvs);
  try {
    await worlds.createFork(
      {
        name: options.name,
        kind: 'hvs',
        parent: hvs.options.collection,
        cut: reembed ? { mail: cut.mail } : { hvs: cut.hvs, mail: cut.mail },
        ...(reembed ? { reembedded: { encoder: next.name, dimension: next.dimension, geometry: options.geometry ?? hvs.geometry } } : {}),
      },
      [hvsNames(options.name).stream, mailNames(options.name).stream],
    );
  } catch (err) {
    // No half fork: the NVM record made a moment ago goes with the refusal.
    await nvm.deleteFork(options.name).catch(() => undefined);
    throw err;
  } finally {
    await worlds.close();
  }
  return { cut, reembed };
}

/** A registry on the HVS client's server (same identity). */
export async function registryOf(hvs: HVS): Promise<WorldRegistry & { close(): Promise<void> }> {
  const endpoint = await openNatsEndpoint({ storagePath: hvs.options.storagePath, name: 'hvs-nvm:worlds', ...hvs.natsConnectionOptions() });
  const registry = await WorldRegistry.open(endpoint.nc);
  const close = registry.close.bind(registry);
  return Object.assign(registry, {
    close: async () => {
      await close();
      await endpoint.close();
    },
  });
}

/** The forks of the server's world registry, HVS and NVM records merged by name, oldest first. */
export async function listWorldForks(hvs: HVS, nvm: NVM): Promise<WorldFork[]> {
  const [h, n] = await Promise.all([hvs.forks(), nvm.forks()]);
  const byName = new Map<string, WorldFork>();
  for (const r of [...n, ...h]) {
    const f = byName.get(r.name) ?? { name: r.name, parent: r.parent, cut: {}, createdAt: r.createdAt.toISOString() };
    f.cut = { ...f.cut, ...r.cut };
    if (r.reembedded) f.reembedded = r.reembedded;
    byName.set(r.name, f);
  }
  return [...byName.values()].sort((a, b) => a.createdAt.localeCompare(b.createdAt));
}

export type { ReembedResult };
