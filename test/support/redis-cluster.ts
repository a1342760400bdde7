import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './ports.js';
import { waitFor } from './wait-for.js';

const run = promisify(execFile);
/** The machine's Redis, from Debian's redis-server package (redis-cli comes with it). */
const REDIS_SERVER = '/usr/bin/redis-server';
const REDIS_CLI = '/usr/bin/redis-cli';
/** No redis-cli call may hang a test's hook: each one is bounded. */
const CLI_TIMEOUT_MS = 5_000;

/**
 * A Redis Cluster of the test's own: `masters` redis-server processes (no replicas) on free
 * loopback ports, joined with `redis-cli --cluster create`. Nothing is kept on disk beyond the
 * nodes' cluster files and logs, in a temporary directory that `stop` removes with the processes.
 */
export class LocalRedisCluster {
  private readonly nodes: { port: number; child: ChildProcess }[] = [];

  private constructor(private readonly dir: string) {}

  /** Starts and joins the cluster; on any failure, whatever started is stopped before the error. */
  static async start(masters = 3): Promise<LocalRedisCluster> {
    const cluster = new LocalRedisCluster(await mkdtemp(join(tmpdir(), 'gss-redis-cluster-')));
    try {
      // Each node has a client port and a cluster bus port, and no two may be the same.
      const taken = new Set<number>();
      const port = async (): Promise<number> => {
        for (;;) {
          const free = await freePort();
          if (taken.has(free)) continue;
          taken.add(free);
          return free;
        }
      };
      for (let i = 0; i < masters; i++) cluster.startNode(await port(), await port());
      await Promise.all(
        cluster.ports.map((port) =>
          waitFor(
            `redis-server on ${port}`,
            async () => (await cluster.cli(port, 'PING')) === 'PONG',
          ),
        ),
      );
      await run(
        REDIS_CLI,
        [
          '--cluster',
          'create',
          ...cluster.ports.map((port) => `127.0.0.1:${port}`),
          '--cluster-replicas',
          '0',
          '--cluster-yes',
        ],
        { timeout: 30_000 },
      );
      await Promise.all(
        cluster.ports.map((port) =>
          waitFor(`cluster_state:ok on ${port}`, async () =>
            (await cluster.cli(port, 'CLUSTER', 'INFO')).includes('cluster_state:ok'),
          ),
        ),
      );
      return cluster;
    } catch (err) {
      const logs = await cluster.logs();
      await cluster.stop();
      throw new Error(`the local Redis Cluster did not start\n${logs}`, { cause: err });
    }
  }

  get ports(): number[] {
    return this.nodes.map((node) => node.port);
  }

  /** A node's URL: any node lets a client discover the whole cluster. */
  url(node = 0): string {
    return `redis://127.0.0.1:${this.ports[node]}`;
  }

  /** Kills every node and removes the directory; safe to call twice or after a failed start. */
  async stop(): Promise<void> {
    await Promise.all(
      this.nodes.splice(0).map(async ({ child }) => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = once(child, 'exit');
        child.kill('SIGKILL');
        await exited;
      }),
    );
    await rm(this.dir, { recursive: true, force: true });
  }

  private startNode(port: number, busPort: number): void {
    const child = spawn(
      REDIS_SERVER,
      [
        ...['--port', String(port), '--bind', '127.0.0.1'],
        ...['--cluster-enabled', 'yes', '--cluster-port', String(busPort)],
        ...['--cluster-config-file', `nodes-${port}.conf`, '--dir', this.dir],
        ...['--logfile', `redis-${port}.log`],
        ...['--save', '', '--appendonly', 'no'],
      ],
      { stdio: 'ignore' },
    );
    this.nodes.push({ port, child });
  }

  /** One command through redis-cli; its reply as text, trimmed. */
  private async cli(port: number, ...command: string[]): Promise<string> {
    const { stdout } = await run(REDIS_CLI, ['-h', '127.0.0.1', '-p', String(port), ...command], {
      timeout: CLI_TIMEOUT_MS,
    });
    return stdout.trim();
  }

  /** The nodes' log files, for the error of a failed start. */
  private async logs(): Promise<string> {
    const logs = await Promise.all(
      this.ports.map((port) =>
        readFile(join(this.dir, `redis-${port}.log`), 'utf8').then(
          (text) => `--- redis-${port}.log\n${text.slice(-2_000)}`,
          () => `--- redis-${port}.log: none`,
        ),
      ),
    );
    return logs.join('\n');
  }
}
