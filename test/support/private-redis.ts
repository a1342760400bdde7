import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';

/**
 * A redis-server of the test's own on a private loopback port, for tests that stop or restart
 * Redis under a running system (the machine's shared Redis must never be restarted).
 * Nothing is kept on disk: a restart starts empty, as a Redis without persistence would.
 */
export class PrivateRedis {
  private child: ChildProcess | undefined;

  private constructor(readonly port: number) {}

  static async start(): Promise<PrivateRedis> {
    const redis = new PrivateRedis(await freePort());
    await redis.restart();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.child !== undefined;
  }

  /** Starts it (again) on the same port and resolves once it answers PING. */
  async restart(): Promise<void> {
    await this.stop();
    const child = spawn(
      '/usr/bin/redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
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
    try {
      for (let tries = 0; ; tries++) {
        try {
          await client.connect();
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

  /** Kills it at once (no shutdown save, none configured anyway) and waits for the exit. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child) return;
    const exited = new Promise((done) => child.once('exit', done));
    child.kill('SIGKILL');
    await exited;
    this.child = undefined;
  }
}

/** A port free on loopback right now (bound and released by the kernel's choice). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}
