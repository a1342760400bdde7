import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const ROOT = resolve(import.meta.dirname, '../..');
let building: Promise<void> | undefined;

/**
 * Compiles the apps to dist/ once per test process (incremental, so quick when fresh),
 * for tests that start the real commands the way an operator or Docker does.
 */
export function ensureBuilt(): Promise<void> {
  building ??= run(
    process.execPath,
    [resolve(ROOT, 'node_modules/typescript/bin/tsc'), '-b', 'tsconfig.build.json'],
    {
      cwd: ROOT,
    },
  ).then(() => undefined);
  return building;
}

export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a compiled entry point (relative to dist/) with Node, never throwing on a non-zero exit. */
export function runDist(
  entry: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
  timeoutMs = 20_000,
): Promise<CommandResult> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [resolve(ROOT, 'dist', entry), ...args],
      { cwd: ROOT, env: { PATH: process.env.PATH, ...env }, timeout: timeoutMs },
      (error, stdout, stderr) => {
        const code = error && typeof error.code === 'number' ? error.code : error ? null : 0;
        done({ code, stdout, stderr });
      },
    );
  });
}
