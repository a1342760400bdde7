import { ConfigError } from './load-config.js';

/**
 * Runs an app's bootstrap; a bad configuration or a failed start ends the process
 * with exit code 1 and a message that says why (all config problems at once).
 */
export function startProcess(name: string, bootstrap: () => Promise<void>): void {
  bootstrap().catch((err: unknown) => {
    const why =
      err instanceof ConfigError
        ? err.message
        : err instanceof Error
          ? (err.stack ?? err.message)
          : String(err);
    process.stderr.write(`${name} failed to start: ${why}\n`);
    process.exit(1);
  });
}
