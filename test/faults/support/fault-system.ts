import {
  type AppliedReport,
  GAME_SERVER_MODEL,
  GAME_SERVER_STAT_MODEL,
  OdooStandIn,
  type StandInCall,
  type StandInProtocol,
} from '../../support/odoo-stand-in.js';
import { AppProcess } from '../../support/app-process.js';
import { ensureBuilt } from '../../support/built.js';
import { PrivateRedis, type PrivateRedisOptions } from '../../support/private-redis.js';
import { startQuake3Responder } from '../../support/quake3-responder.js';
import { REDIS_URL, dropPrefix, uniquePrefix } from '../../support/test-env.js';
import type { UdpResponder } from '../../support/udp-responder.js';
import { waitFor } from '../../support/wait-for.js';
import {
  type ServerSlot,
  type SlotAccount,
  accountSlots,
  recordAccount,
  slotsBetween,
} from './account.js';

/** Waits until the clock reads `at` (a slot boundary of a test's time window). */
export function sleepUntil(at: number): Promise<void> {
  return new Promise((wake) => setTimeout(wake, Math.max(0, at - Date.now())));
}

/**
 * An `apply_status_reports` call Odoo ran in which it ignored reports (not newer than the
 * server's last, or for a server no longer there): with every server kept and reports
 * written in order, a batch replayed because its writer never learnt of the commit.
 */
export function isReplay(call: StandInCall): boolean {
  return call.ok && call.recordCount > (call.applied?.length ?? 0);
}

export interface FaultSystemOptions {
  /** Names the queue prefix and the processes' labels. */
  name: string;
  /** Healthy game servers (Quake 3 responders on loopback, one port each). */
  servers: number;
  intervalS: number;
  /**
   * A redis-server of the test's own (for tests that stop or restart Redis), with `true` or its
   * options; else the machine's.
   */
  privateRedis?: boolean | PrivateRedisOptions;
  protocol?: StandInProtocol;
}

/**
 * The whole pipeline for a fault test: the Odoo stand-in, game servers that count every query,
 * Redis, and the apps started as real processes with short intervals. Each test starts the
 * roles it needs (several of one role if it likes), breaks something, and asks for the account.
 */
export class FaultSystem {
  readonly odoo: OdooStandIn;
  readonly prefix: string;
  readonly responders: UdpResponder[] = [];
  serverIds: number[] = [];
  private redis: PrivateRedis | undefined;
  private readonly processes: { app: AppProcess; roles: string }[] = [];

  private constructor(readonly options: FaultSystemOptions) {
    this.odoo = new OdooStandIn();
    this.prefix = uniquePrefix(`fault-${options.name}`);
  }

  static async start(options: FaultSystemOptions): Promise<FaultSystem> {
    const system = new FaultSystem(options);
    try {
      await ensureBuilt();
      await system.odoo.start();
      if (options.privateRedis) {
        system.redis = await PrivateRedis.start(
          options.privateRedis === true ? {} : options.privateRedis,
        );
      }
      for (let i = 0; i < options.servers; i++) {
        system.responders.push(
          await startQuake3Responder({
            info: { sv_hostname: `fault ${i}`, mapname: 'q3dm17', sv_maxclients: '16' },
            players: [{ score: i, ping: 40, name: `player${i}` }],
          }),
        );
      }
      system.serverIds = system.odoo.seed(
        GAME_SERVER_MODEL,
        system.responders.map((r, i) => ({
          name: `fault ${i}`,
          game: 'openarena',
          host: r.address,
          port: r.port,
        })),
      );
      return system;
    } catch (err) {
      await system.stop();
      throw err;
    }
  }

  get intervalMs(): number {
    return this.options.intervalS * 1000;
  }

  get redisUrl(): string {
    return this.redis?.url ?? REDIS_URL;
  }

  /** The private Redis, for tests that stop or restart it. */
  get privateRedis(): PrivateRedis {
    if (!this.redis) throw new Error('this fault system uses the shared Redis');
    return this.redis;
  }

  /** Environment of a poller process with `roles`, as an operator would set it, with short timings. */
  env(roles: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
    return {
      POLLER_ROLES: roles,
      REDIS_URL: this.redisUrl,
      QUEUE_PREFIX: this.prefix,
      ODOO_URL: this.odoo.url,
      ODOO_DB: this.odoo.db,
      ODOO_LOGIN: this.odoo.login,
      ODOO_API_KEY: this.odoo.apiKey,
      ODOO_PROTOCOL: this.options.protocol ?? 'json2',
      ODOO_TIMEOUT_MS: '3000',
      POLL_INTERVAL_S: String(this.options.intervalS),
      POLL_TIMEOUT_MS: '500',
      SCHEDULER_TICK_MS: '100',
      CATALOG_SYNC_MS: '500',
      WRITER_FLUSH_MS: '200',
      LOG_LEVEL: 'info',
      ...extra,
    };
  }

  /** Starts a poller process with `roles`; stop() ends it if the test does not. */
  async startPoller(
    roles: string,
    extra: NodeJS.ProcessEnv = {},
    label = roles,
  ): Promise<AppProcess> {
    const app = await AppProcess.start('poller', this.env(roles, extra), {
      label: `${this.options.name}/${label}`,
    });
    this.processes.push({ app, roles });
    return app;
  }

  /**
   * Adds game servers of a test's own (e.g. hostile ones) to the catalog and returns their
   * ids. They are not among `serverIds`: `slots()` and `queryMismatches()` keep covering the
   * healthy servers only; account for these with `slotsBetween` on the ids returned.
   */
  addServers(
    servers: readonly { name: string; game: string; host: string; port: number }[],
  ): number[] {
    return this.odoo.seed(GAME_SERVER_MODEL, servers);
  }

  /** Queries each healthy game server received so far, by server id. */
  queriesPerServer(): Map<number, number> {
    return new Map(this.serverIds.map((id, i) => [id, this.responders[i]?.received ?? 0]));
  }

  /**
   * Servers whose game server was queried a different number of times than Odoo has reports
   * for them: a double poll, or a poll whose report went missing. Empty when every query ended
   * up in Odoo exactly once.
   */
  queryMismatches(): { serverId: number; queries: number; applied: number }[] {
    const applied = this.appliedPerServer();
    return [...this.queriesPerServer()]
      .map(([serverId, queries]) => ({ serverId, queries, applied: applied.get(serverId) ?? 0 }))
      .filter((m) => m.queries !== m.applied);
  }

  applied(): readonly AppliedReport[] {
    return this.odoo.appliedReports();
  }

  /** The writer's `apply_status_reports` calls the stand-in received, oldest first, failed ones too. */
  applyCalls(): StandInCall[] {
    return this.odoo.calls.filter((call) => call.method === 'apply_status_reports');
  }

  private appliedPerServer(): Map<number, number> {
    const applied = new Map<number, number>();
    for (const report of this.applied())
      applied.set(report.server_id, (applied.get(report.server_id) ?? 0) + 1);
    return applied;
  }

  /** Every slot of every server starting in [from, to), less those `allowMissing` excuses. */
  slots(from: number, to: number, allowMissing?: (slot: ServerSlot) => boolean): ServerSlot[] {
    return slotsBetween(this.serverIds, this.intervalMs, from, to, allowMissing);
  }

  /**
   * Waits (up to `timeoutMs`) until each of `slots` has a report in Odoo. Running out of time
   * is not an error here: the account that follows names what is missing.
   */
  async settle(slots: readonly ServerSlot[], timeoutMs = 60_000): Promise<void> {
    await waitFor(
      `${slots.length} expected reports in Odoo`,
      () => accountSlots('settle', slots, this.applied(), this.intervalMs).lost === 0,
      { timeoutMs },
    ).catch(() => undefined);
  }

  /** The fault's account, added to the suite's table. */
  account(fault: string, slots: readonly ServerSlot[]): SlotAccount {
    return recordAccount(accountSlots(fault, slots, this.applied(), this.intervalMs));
  }

  /**
   * Bucket counts must match the reports applied: a replayed batch that Odoo applied again
   * would count a poll twice there. Returns servers whose poll count differs.
   */
  bucketMismatches(): { serverId: number; applied: number; counted: number }[] {
    const applied = new Map<number, number>();
    for (const report of this.applied())
      applied.set(report.server_id, (applied.get(report.server_id) ?? 0) + 1);
    const counted = new Map<number, number>();
    for (const stat of this.odoo.records(GAME_SERVER_STAT_MODEL)) {
      const serverId = Array.isArray(stat['server_id'])
        ? Number(stat['server_id'][0])
        : Number(stat['server_id']);
      counted.set(serverId, (counted.get(serverId) ?? 0) + Number(stat['polls']));
    }
    return this.serverIds
      .map((serverId) => ({
        serverId,
        applied: applied.get(serverId) ?? 0,
        counted: counted.get(serverId) ?? 0,
      }))
      .filter((m) => m.applied !== m.counted);
  }

  /**
   * Stops the scheduler and workers gracefully (SIGTERM) and then lets the writers drain, so
   * every query made has had its chance to reach Odoo before the books are compared.
   */
  async stopPollers(settleMs = 3_000): Promise<void> {
    const polling = this.processes.filter((p) => p.roles !== 'writer').map((p) => p.app);
    await Promise.all(polling.map((p) => p.stop('SIGTERM')));
    await new Promise((wake) => setTimeout(wake, settleMs));
  }

  /** Stops every process (SIGKILL: nothing to save), the game servers, Redis and Odoo. */
  async stop(): Promise<void> {
    await Promise.allSettled(this.processes.map((p) => p.app.kill()));
    await Promise.allSettled(this.responders.map((r) => r.stop()));
    if (this.redis) await this.redis.stop();
    else await dropPrefix(this.prefix);
    await this.odoo.stop();
  }
}
