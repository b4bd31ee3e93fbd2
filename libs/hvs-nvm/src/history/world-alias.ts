// Opening a world by name: the alias `promote` set for it, if any, names the world clients get.
import { openNatsEndpoint, WorldRegistry } from '@hvs-nvm/eventstore';
import { NAMESPACE_PATTERN } from '@hvs-nvm/events';
import { InvalidArgumentError } from '@hvs-nvm/nvm';

/** The world `name` stands for on the server of `storagePath` (or `natsUrl`): its alias's target, or itself. */
export async function resolveWorld(storagePath: string, natsUrl: string | undefined, name: string): Promise<string> {
  if (!NAMESPACE_PATTERN.test(name)) throw new InvalidArgumentError(`a world name is 1-64 characters of A-Z a-z 0-9 _ -, got '${name}'`);
  const endpoint = await openNatsEndpoint({ storagePath, name: 'hvs-nvm:worlds', ...(natsUrl ? { natsUrl } : {}) });
  try {
    const registry = await WorldRegistry.open(endpoint.nc);
    try {
      return await registry.resolve(name);
    } finally {
      await registry.close();
    }
  } finally {
    await endpoint.close();
  }
}
