import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ErrorCode, slotStartFor } from '#common';
import { MAX_STATUS_FRAME_BYTES } from '#providers';
import { slotsBetween } from './support/account.js';
import { FaultSystem, sleepUntil } from './support/fault-system.js';
import {
  type HostileTcpServer,
  type HostileUdpServer,
  startEndlessMinecraftServer,
  startGarbageUdpServer,
  startOversizedA2sServer,
  startTricklingMinecraftServer,
  startWrongPortQuake3Server,
} from './support/hostile-servers.js';

const POLL_TIMEOUT_MS = 500;
/** Scheduler tick, queue hand-off and a loaded 2-core machine, on top of the poll timeout. */
const HANDOFF_MARGIN_MS = 1_000;
/** The poll worker's resident set must stay below this while the hostile servers run. */
const PEAK_RSS_BOUND_MB = 300;
const SLOTS = 8;

interface Hostile {
  name: string;
  game: string;
  /** The error code its offline reports must carry: what the providers call this failure. */
  code: ErrorCode;
  start: () => Promise<HostileTcpServer | HostileUdpServer>;
  server?: HostileTcpServer | HostileUdpServer;
  id?: number;
}

/**
 * Game servers that trickle, flood, talk garbage or answer from the wrong port, beside healthy
 * ones, polled by one worker process: each hostile one is reported offline with the code of
 * its failure every slot, the worker's memory stays bounded, and the healthy servers are
 * polled on time as if nothing were wrong.
 */
describe('hostile game servers beside healthy ones', () => {
  let system: FaultSystem;
  let endless: HostileTcpServer;
  const hostiles: Hostile[] = [
    // The poller gives up waiting at its timeout, having received one byte.
    {
      name: 'trickles a byte a second',
      game: 'minecraft',
      code: 'timeout',
      start: startTricklingMinecraftServer,
    },
    // The status frame fills the cap and is not JSON; the legacy ping then fails on it too.
    {
      name: 'streams without end',
      game: 'minecraft',
      code: 'protocol',
      start: async () => (endless = await startEndlessMinecraftServer()),
    },
    // The split reply passes the reassembly cap long before its last part.
    {
      name: 'oversized UDP reply',
      game: 'counterstrike2',
      code: 'protocol',
      start: startOversizedA2sServer,
    },
    {
      name: 'garbage UDP reply',
      game: 'openarena',
      code: 'protocol',
      start: startGarbageUdpServer,
    },
    // A reply from another port is never matched to the query: no reply, as far as it knows.
    {
      name: 'replies from the wrong port',
      game: 'openarena',
      code: 'timeout',
      start: startWrongPortQuake3Server,
    },
  ];

  beforeAll(async () => {
    system = await FaultSystem.start({ name: 'hostile', servers: 20, intervalS: 2 });
    for (const hostile of hostiles) hostile.server = await hostile.start();
    const ids = system.addServers(
      hostiles.map((h) => ({
        name: `hostile: ${h.name}`,
        game: h.game,
        host: h.server?.address ?? '',
        port: h.server?.port ?? 0,
      })),
    );
    hostiles.forEach((h, i) => (h.id = ids[i]));
  });
  afterAll(async () => {
    await system?.stop();
    await Promise.allSettled(hostiles.flatMap((h) => (h.server ? [h.server.stop()] : [])));
  });

  it('reports each hostile server offline with its error code, bounds memory, and keeps the healthy ones on time', async () => {
    await system.startPoller('scheduler');
    const worker = await system.startPoller('worker', { POLL_TIMEOUT_MS: String(POLL_TIMEOUT_MS) });
    await system.startPoller('writer');
    const from = Date.now() + system.intervalMs;
    const to = from + SLOTS * system.intervalMs;
    await sleepUntil(to);
    const healthySlots = system.slots(from, to);
    const hostileIds = hostiles.map((h) => h.id ?? -1);
    const hostileSlots = slotsBetween(hostileIds, system.intervalMs, from, to);
    await system.settle([...healthySlots, ...hostileSlots], 15_000);
    const { peakRssMb } = await worker.usage();

    const healthy = system.account('hostile servers: the healthy ones beside them', healthySlots);
    expect(healthy.examples).toEqual([]);
    expect(healthy).toMatchObject({ expected: 20 * SLOTS, lost: 0, duplicated: 0 });
    const hostile = system.account('hostile servers: offline reports', hostileSlots);
    expect(hostile.examples).toEqual([]);
    expect(hostile).toMatchObject({ expected: hostiles.length * SLOTS, lost: 0, duplicated: 0 });

    const inWindow = system
      .applied()
      .filter((r) => Number(r['checked_at_ms']) >= from && Number(r['checked_at_ms']) < to);
    for (const h of hostiles) {
      const outcomes = new Set(
        inWindow
          .filter((r) => r.server_id === h.id)
          .map((r) => `${String(r.online)} ${String(r['error_code'])}`),
      );
      expect({ server: h.name, outcomes: [...outcomes] }).toEqual({
        server: h.name,
        outcomes: [`false ${h.code}`],
      });
    }

    // Each healthy report was in hand within the poll timeout (plus hand-off) of its slot's start.
    const healthyReports = inWindow.filter((r) => system.serverIds.includes(r.server_id));
    expect(healthyReports.filter((r) => !r.online)).toEqual([]);
    const readyAfterSlotStart = healthyReports.map((r) => {
      const checkedAt = Number(r['checked_at_ms']);
      const slotStart = slotStartFor(r.server_id, system.intervalMs, checkedAt);
      return checkedAt - slotStart + Number(r['latency_ms']);
    });
    const latest = Math.max(...readyAfterSlotStart);
    console.log(
      `hostile servers: worker peak RSS ${peakRssMb.toFixed(0)} MB; healthy reports ready at most ${latest} ms after their slot's start; endless server sent ${(endless.bytesSent / 1e6).toFixed(1)} MB`,
    );
    expect(latest).toBeLessThan(POLL_TIMEOUT_MS + HANDOFF_MARGIN_MS);
    expect(peakRssMb).toBeLessThan(PEAK_RSS_BOUND_MB);
    // The endless server really did pour its bytes at every poll (two connections a poll:
    // the status ping, then the legacy one), so the bound above held under the flood.
    expect(endless.connections).toBeGreaterThanOrEqual(2 * SLOTS);
    expect(endless.bytesSent).toBeGreaterThan(SLOTS * MAX_STATUS_FRAME_BYTES);

    expect(system.bucketMismatches()).toEqual([]);
    await system.stopPollers();
    expect(system.queryMismatches()).toEqual([]);
  });
});
