// Random numbers for embedding and sampled evaluation: the shared seeded PRNG, and normal samples from it.
import type { Random } from '@hvs-nvm/events';

export { seededRandom, type Random } from '@hvs-nvm/events';

/** A standard normal sample (Box–Muller). */
export function gaussian(random: Random): number {
  const u = 1 - random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}
