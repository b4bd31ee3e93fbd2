// Opening a world by name: the alias `promote` set for it, if any, names the world clients get.
import { openNatsEndpoint, WorldRegistry } from '@hvs-nvm/eventstore';
import { NAMESPACE_PATTERN } from '@hvs-nvm/events';
import { InvalidArgumentError } from '@hvs-nvm/nvm';

export interface WorldInfo {
  /** The world `name` opens: its alias's target, or itself. */
  world: string;
  /** Set when that world was re-embedded: the encoder, dimension and geometry its clients must use. */
  reembedded?: { encoder: string; dimension: number; geometry: string };
}

/**
 * What world `name` opens on the server of `storagePath` (or `natsUrl`), and how it was embedded. `release` is
 * called once its connection is closed: keep it until the stores are open, so that an embedded server is not
 * stopped between the lookup and them (the last lease stops it).
 */
export async function resolveWorld(
  storagePath: string,
  natsUrl: string | undefined,
  name: string,
): Promise<WorldInfo & { release(): Promise<void> }> {
  if (!NAMESPACE_PATTERN.test(name)) throw new InvalidArgumentError(`a world name is 1-64 characters of A-Z a-z 0-9 _ -, got '${name}'`);
  const endpoint = await openNatsEndpoint({ storagePath, name: 'hvs-nvm:worlds', ...(natsUrl ? { natsUrl } : {}) });
  try {
    const registry = await WorldRegistry.open(endpoint.nc);
    try {
      const world = await registry.resolve(name);
      const reembedded = (await registry.fork('hvs', world))?.reembedded;
      const release = () => endpoint.close();
      return reembedded ? { world, reembedded, release } : { world, release };
    } finally {
      await registry.close();
    }
  } catch (err) {
    await endpoint.close();
    throw err;
  }
}
