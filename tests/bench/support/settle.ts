// Resident memory once garbage is gone, the same way for every side a memory figure compares.
import { trimAllocator } from '@hvs-nvm/hnsw';
import { sleep } from './stats.js';

/**
 * Full GCs (the child runs with --expose-gc), then V8's low-memory compaction and glibc's malloc_trim, so that the
 * figure is what the index keeps, not what V8 or the allocator happen to hold on to.
 */
export async function settledMemory(): Promise<NodeJS.MemoryUsage> {
  const gc = (globalThis as { gc?: () => void }).gc;
  for (let i = 0; i < 3; i++) {
    gc?.();
    await sleep(50);
  }
  trimAllocator(true);
  await sleep(50);
  return process.memoryUsage();
}
