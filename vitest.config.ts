import { defineConfig } from 'vitest/config';

// Three projects: fast unit specs beside the code; end-to-end specs under test/ that talk
// to the machine's real Redis, the Odoo stand-in and real game servers; and the fault suite,
// which starts the apps as real processes, breaks things under them and accounts for every
// report. The fault suite runs in a group of its own (groupOrder), never alongside the
// others: its short intervals must not compete with them for the machine's two cores.
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
          sequence: { groupOrder: 0 },
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
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: 'faults',
          include: ['test/faults/**/*.fault-spec.ts'],
          environment: 'node',
          globalSetup: ['test/faults/support/ledger.setup.ts'],
          testTimeout: 180_000,
          hookTimeout: 120_000,
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
