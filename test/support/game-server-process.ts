/*
 * A real game server a test starts (one of Debian's dedicated servers): what it prints is kept
 * for a failing test to show, and one stop ends it and removes its throw-away home.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { rm } from 'node:fs/promises';

export interface GameServerProcess {
  readonly child: ChildProcess;
  /** What the server printed so far (stdout and stderr). */
  readonly output: string[];
  readonly running: () => boolean;
  /** Ends the server (SIGTERM) and removes its home; safe to call more than once. */
  readonly stop: () => Promise<void>;
}

/** Runs `binary` with `home` as its HOME (and working directory, with `inHome`). */
export function spawnGameServer(
  binary: string,
  args: readonly string[],
  home: string,
  { inHome = false }: { inHome?: boolean } = {},
): GameServerProcess {
  const output: string[] = [];
  const child = spawn(binary, args, {
    ...(inHome ? { cwd: home } : {}),
    env: { HOME: home, PATH: process.env.PATH },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  const exited = once(child, 'exit');
  const running = () => child.exitCode === null && child.signalCode === null;
  return {
    child,
    output,
    running,
    stop: async () => {
      if (running()) {
        child.kill('SIGTERM');
        await exited;
      }
      await rm(home, { recursive: true, force: true });
    },
  };
}
