// What a derived memory, fact or cache entry was computed from: source ids resolved to versioned links, and their current versions.
import { z } from 'zod';
import { CodedError, Id, streamIds } from '@hvs-nvm/events';
import type { EventStorePort } from '@hvs-nvm/eventstore';
import type { HVS } from '@hvs-nvm/hvs';
import { InvalidArgumentError } from '@hvs-nvm/nvm';
import { parseInput } from '../input.js';

/** The things an answer can be computed from, each a stream of its store: a block's, a vector's, a fact's. */
export const SourceKindSchema = z.enum(['block', 'vector', 'fact']);
export type SourceKind = z.infer<typeof SourceKindSchema>;

/** A source as a caller names it: an id (at its current version), or an id pinned at the version the caller read. */
export const SourceInputSchema = z.union([Id, z.strictObject({ id: Id, version: z.number().int().positive() })]);
export const SourcesSchema = z.array(SourceInputSchema).max(100, 'at most 100 sources');
export type SourceInput = z.input<typeof SourceInputSchema>;

/** A recorded link: the source and its version (its stream revision + 1, as a block's `version`) when it was used. */
export const SourceLinkSchema = z.object({ id: Id, kind: SourceKindSchema, version: z.number().int().positive() });
export type SourceLink = z.infer<typeof SourceLinkSchema>;

export class UnknownSourceError extends CodedError {
  constructor(readonly sourceId: string) {
    super('UNKNOWN_SOURCE', `source '${sourceId}' is no live block, vector or fact`, 400);
  }
}

export interface SourceStores {
  hvs: EventStorePort;
  nvm: EventStorePort;
}

export function storeOf(kind: SourceKind): 'hvs' | 'nvm' {
  return kind === 'vector' ? 'hvs' : 'nvm';
}

export function streamOf(kind: SourceKind, id: string): string {
  return kind === 'block' ? streamIds.block(id) : kind === 'vector' ? streamIds.vector(id) : streamIds.fact(id);
}

/** `kind:id`, the key of a source in the indexes. */
export const sourceKey = (kind: SourceKind, id: string) => `${kind}:${id}`;

/** The source an event of a store is about (its stream), or undefined for streams that are no source. */
export function sourceOfStream(store: 'hvs' | 'nvm', streamId: string): { kind: SourceKind; id: string } | undefined {
  const dot = streamId.indexOf('.');
  const prefix = streamId.slice(0, dot);
  const id = streamId.slice(dot + 1);
  if (store === 'hvs' && prefix === 'vec') return { kind: 'vector', id };
  if (store === 'nvm' && prefix === 'block') return { kind: 'block', id };
  if (store === 'nvm' && prefix === 'fact') return { kind: 'fact', id };
  return undefined;
}

const ENDINGS = new Set(['VectorDeleted', 'BlockDeleted', 'BlockExpired']);

/** A source's current version and whether it is live (undefined: it never existed). */
export async function currentVersion(
  stores: SourceStores,
  kind: SourceKind,
  id: string,
): Promise<{ version: number; live: boolean } | undefined> {
  const last = await stores[storeOf(kind)].lastEvent(streamOf(kind, id));
  return last ? { version: last.revision + 1, live: !ENDINGS.has(last.type) } : undefined;
}

/**
 * The links of `sources`: each id is every kind it is live as (block, vector, fact), at its current version or the
 * version pinned by the caller. A stored memory (a vector holding its text in a block) brings its block along, so a
 * change to the text invalidates too. Bad shapes are InvalidArgumentError, ids that are nothing live UnknownSourceError.
 */
export async function resolveSources(stores: SourceStores, hvs: HVS, sources: unknown, what: string): Promise<SourceLink[]> {
  const inputs = parseInput(SourcesSchema, sources, `${what} sources`);
  const links = new Map<string, SourceLink>();
  const add = (link: SourceLink) => links.set(sourceKey(link.kind, link.id), link);
  await Promise.all(
    inputs.map(async (input) => {
      const id = typeof input === 'string' ? input : input.id;
      const pinned = typeof input === 'string' ? undefined : input.version;
      const kinds = SourceKindSchema.options;
      const found = await Promise.all(kinds.map((kind) => currentVersion(stores, kind, id)));
      let any = false;
      for (const [i, kind] of kinds.entries()) {
        const tip = found[i];
        if (!tip?.live) continue;
        any = true;
        if (pinned !== undefined && pinned > tip.version) {
          throw new InvalidArgumentError(`${what} source '${id}' is at version ${tip.version}, not yet at ${pinned}`);
        }
        add({ id, kind, version: pinned ?? tip.version });
        if (kind !== 'vector') continue;
        const blockId = (await hvs.retrieveVector(id).catch(() => undefined))?.metadata['nvm_block_id'];
        if (typeof blockId !== 'string' || !Id.safeParse(blockId).success) continue;
        const block = await currentVersion(stores, 'block', blockId);
        if (block?.live) add({ id: blockId, kind: 'block', version: block.version });
      }
      if (!any) throw new UnknownSourceError(id);
    }),
  );
  return [...links.values()];
}
