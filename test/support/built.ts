import { execFile } from 'node:child_process';
import { basename, dirname, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const HERE = resolve(import.meta.dirname, '../..');
/** The repository: two levels up under vitest, three once compiled into dist/ (benchmarks). */
export const ROOT = basename(HERE) === 'dist' ? dirname(HERE) : HERE;
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
  return runCommand(process.execPath, [resolve(ROOT, 'dist', entry), ...args], env, timeoutMs);
}

/**
 * Runs any command from the repository with exactly `env` (plus PATH), never throwing on a
 * non-zero exit; the code is null when it was killed (e.g. by the timeout).
 */
export function runCommand(
  command: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
  timeoutMs = 20_000,
): Promise<CommandResult> {
  return new Promise((done) => {
    execFile(
      command,
      args,
      { cwd: ROOT, env: { PATH: process.env.PATH, ...env }, timeout: timeoutMs },
      (error, stdout, stderr) => {
        const code = error && typeof error.code === 'number' ? error.code : error ? null : 0;
        done({ code, stdout, stderr });
      },
    );
  });
}
