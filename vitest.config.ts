// Test runner config: unit tests beside the code, integration/fault tests in tests/.
import { defineConfig } from 'vitest/config';

const resolve = { conditions: ['@hvs-nvm/source'] };

export default defineConfig({
  resolve,
  ssr: { resolve: { conditions: ['@hvs-nvm/source'], externalConditions: ['@hvs-nvm/source'] } },
  test: {
    pool: 'forks',
    // Parked junk and injected faults are expected in tests: keep the structured logs to errors.
    env: { HVS_NVM_LOG_LEVEL: 'error' },
    testTimeout: 60_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['libs/*/src/**/*.test.ts', 'apps/*/src/**/*.test.ts'] },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['tests/integration/**/*.test.ts', 'tests/e2e/**/*.test.ts', 'tests/faults/**/*.test.ts'],
          // Some of these run the built code (the bin, dist/, packed tarballs): build it first, incrementally.
          globalSetup: ['tests/support/build-global.ts'],
          fileParallelism: false,
        },
      },
    ],
  },
});
