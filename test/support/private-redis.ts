import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from './ports.js';

export interface PrivateRedisOptions {
  /**
   * Keep an append-only file in a temporary directory of its own, as docker-compose.yml runs
   * Redis (`--appendonly yes`, fsync every second): a restart then loads what was written.
   * Without it nothing is kept: a restart starts empty.
   */
  appendOnly?: boolean;
  /**
   * With appendOnly: the directory to keep the file in, instead of a new temporary one (a copy
   * of another Redis's, to start from what it held); stop() removes it all the same.
   */
  dataDir?: string;
}

/**
 * A redis-server of the test's own on a private loopback port, for tests that stop or restart
 * Redis under a running system (the machine's shared Redis must never be restarted).
 */
export class PrivateRedis {
  private child: ChildProcess | undefined;

  private constructor(
    readonly port: number,
    /** Where the append-only file lives (its folder `appendonlydir`); undefined without persistence. */
    readonly dataDir: string | undefined,
  ) {}

  static async start(options: PrivateRedisOptions = {}): Promise<PrivateRedis> {
    const dataDir = options.appendOnly
      ? (options.dataDir ?? (await mkdtemp(join(tmpdir(), 'gss-redis-'))))
      : undefined;
    const redis = new PrivateRedis(await freePort(), dataDir);
    try {
      await redis.restart();
    } catch (err) {
      await redis.stop();
      throw err;
    }
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.child !== undefined;
  }

  /**
   * Starts it (again, killing it first if it runs) on the same port and resolves once it
   * answers PING; with an append-only file, once that file is loaded.
   */
  async restart(): Promise<void> {
    await this.halt('SIGKILL');
    const persistence = this.dataDir
      ? ['--appendonly', 'yes', '--dir', this.dataDir]
      : ['--appendonly', 'no'];
    const child = spawn(
      '/usr/bin/redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', ...persistence],
      { stdio: 'ignore' },
    );
    this.child = child;
    child.once('exit', () => {
      if (this.child === child) this.child = undefined;
    });
    const client = new Redis(this.url, {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    // A refused connect also rejects connect(), which the loop below handles.
    client.on('error', () => undefined);
    try {
      for (let tries = 0; ; tries++) {
        try {
          await client.connect();
          // PING is refused with LOADING until the append-only file is read back.
          await client.ping();
          return;
        } catch (err) {
          if (tries > 100 || !this.child) {
            throw new Error(`redis-server on ${this.port} did not start`, { cause: err });
          }
          client.disconnect();
          await new Promise((wake) => setTimeout(wake, 50));
        }
      }
    } finally {
      client.disconnect();
    }
  }

  /**
   * Stops it and keeps its files, for a later restart(): SIGTERM is a graceful shutdown (Redis
   * flushes the append-only file and exits), SIGKILL a crash (writes of the last second may
   * be lost, and with no persistence everything is).
   */
  async halt(signal: 'SIGTERM' | 'SIGKILL'): Promise<void> {
    const child = this.child;
    if (!child) return;
    const exited = new Promise((done) => child.once('exit', done));
    child.kill(signal);
    await exited;
    this.child = undefined;
  }

  /** Kills it at once (nothing left to save) and removes its files. */
  async stop(): Promise<void> {
    await this.halt('SIGKILL');
    if (this.dataDir) await rm(this.dataDir, { recursive: true, force: true });
  }
}
