import { type ChildProcess, spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ROOT } from './built.js';

/** The compiled entry points an operator (or Docker) starts; run `ensureBuilt()` first. */
export const APP_ENTRY = {
  poller: 'apps/poller/src/main.js',
  api: 'apps/api/src/main.js',
} as const;
export type AppName = keyof typeof APP_ENTRY;

/** What printed line says the app is up. */
const READY: Record<AppName, RegExp> = {
  poller: /running roles:/,
  api: /listening on /,
};
/** Output kept per process, for a failing test to show; older lines are dropped. */
const OUTPUT_LIMIT = 64 * 1024;

export interface AppExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** CPU and memory of a running process, read from /proc (Linux). */
export interface ProcessUsage {
  /** User + system CPU seconds since the process started. */
  cpuS: number;
  rssMb: number;
  /** The kernel's high-water mark of the resident set (VmHWM). */
  peakRssMb: number;
}

/**
 * One app started as its own OS process, the way it runs in production: its own event loop,
 * its own Redis connections, and a real death when killed. For tests and benchmarks that
 * need processes to crash, restart, or be measured apart.
 */
export class AppProcess {
  readonly exited: Promise<AppExit>;
  private output = '';
  private exit: AppExit | undefined;

  private constructor(
    readonly label: string,
    private readonly child: ChildProcess,
  ) {
    this.exited = new Promise((done) => {
      child.once('exit', (code, signal) => {
        this.exit = { code, signal };
        done(this.exit);
      });
    });
    const keep = (chunk: Buffer): void => {
      this.output = (this.output + chunk.toString('utf8')).slice(-OUTPUT_LIMIT);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
  }

  /**
   * Starts `app` with exactly `env` (plus PATH) and resolves once it says it is ready; rejects
   * with its output if it exits or stays silent for `readyTimeoutMs`.
   */
  static async start(
    app: AppName,
    env: NodeJS.ProcessEnv,
    { label = app, readyTimeoutMs = 20_000 }: { label?: string; readyTimeoutMs?: number } = {},
  ): Promise<AppProcess> {
    const started = AppProcess.spawn(
      label,
      process.execPath,
      [resolve(ROOT, 'dist', APP_ENTRY[app])],
      env,
    );
    await started.waitForOutput(READY[app], readyTimeoutMs);
    return started;
  }

  /**
   * Starts any command from the repository with exactly `env` (plus PATH), without waiting
   * for it to be ready (e.g. a compose service's command, whose health check says when).
   */
  static spawn(
    label: string,
    command: string,
    args: readonly string[],
    env: NodeJS.ProcessEnv,
  ): AppProcess {
    const child = spawn(command, args, {
      cwd: ROOT,
      env: { PATH: process.env.PATH, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new AppProcess(label, child);
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get running(): boolean {
    return this.exit === undefined;
  }

  /** Everything the process printed (the last 64 KiB). */
  get log(): string {
    return this.output;
  }

  /** Resolves when the output matches `pattern`; rejects if the process exits first or time runs out. */
  async waitForOutput(pattern: RegExp, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!pattern.test(this.output)) {
      if (!this.running) {
        throw new Error(
          `${this.label} exited (${describe(this.exit)}) before ${pattern}:\n${this.output}`,
        );
      }
      if (Date.now() > deadline) {
        throw new Error(
          `${this.label} did not print ${pattern} within ${timeoutMs} ms:\n${this.output}`,
        );
      }
      await new Promise((wake) => setTimeout(wake, 20));
    }
  }

  /** Sends `signal` and waits for the exit (SIGKILL after `graceMs` if it is still there). */
  async stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 15_000): Promise<AppExit> {
    if (!this.running) return this.exit as AppExit;
    this.child.kill(signal);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Dies at once, as under the OOM killer: no shutdown hook runs. */
  kill(): Promise<AppExit> {
    return this.stop('SIGKILL');
  }

  usage(): Promise<ProcessUsage> {
    return processUsage(this.pid);
  }
}

/** Reads CPU seconds and RSS of a live process from /proc. */
export async function processUsage(pid: number): Promise<ProcessUsage> {
  const [stat, status] = await Promise.all([
    readFile(`/proc/${pid}/stat`, 'utf8'),
    readFile(`/proc/${pid}/status`, 'utf8'),
  ]);
  // Fields after the command name (which may hold spaces) start at ')'; utime and stime are
  // the 14th and 15th fields of the line, in clock ticks (100 per second on Linux).
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  const kb = (name: string): number =>
    Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
  return { cpuS: ticks / 100, rssMb: kb('VmRSS') / 1024, peakRssMb: kb('VmHWM') / 1024 };
}

function describe(exit: AppExit | undefined): string {
  return exit?.signal ? `signal ${exit.signal}` : `code ${String(exit?.code)}`;
}
