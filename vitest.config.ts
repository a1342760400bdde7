import { defineConfig } from 'vitest/config';

// Two projects: fast unit specs beside the code, and end-to-end specs under test/
// that talk to the machine's real Redis, the Odoo stand-in and real game servers.
// The "source" condition makes the package.json "imports" aliases (#common, ...)
// resolve to TypeScript sources instead of the compiled dist/.
export default defineConfig({
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'], externalConditions: ['source'] } },
  test: {
    reporters: ['default', './test/support/summary-reporter.ts'],
    // Decorator metadata (Nest DI, class-validator) needs Reflect.metadata before any class loads.
    setupFiles: ['reflect-metadata'],
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['apps/**/*.spec.ts', 'libs/**/*.spec.ts', 'test/support/**/*.spec.ts'],
          environment: 'node',
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['test/**/*.e2e-spec.ts'],
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 60_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
