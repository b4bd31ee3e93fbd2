// Runs the fault tests on their own (`npx vitest run --config tests/faults/vitest.config.ts`), with the root settings.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  root: fileURLToPath(new URL('../..', import.meta.url)),
  resolve: { conditions: ['@hvs-nvm/source'] },
  ssr: { resolve: { conditions: ['@hvs-nvm/source'], externalConditions: ['@hvs-nvm/source'] } },
  test: {
    name: 'faults',
    include: ['tests/faults/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 180_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
});
