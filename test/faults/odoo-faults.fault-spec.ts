import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AppliedReport,
  GAME_SERVER_MODEL,
  type StandInProtocol,
} from '../support/odoo-stand-in.js';
import { quake3Handler } from '../support/quake3-responder.js';
import { waitFor } from '../support/wait-for.js';
import { FaultSystem, isReplay, sleepUntil } from './support/fault-system.js';

const ODOO_TIMEOUT_MS = 3_000;

/**
 * Odoo down for several intervals, then slow (under the client's timeout), then slower than
 * the timeout (Odoo commits what the writer already gave up on), then answering 500, access
 * and authentication errors. Polling never stops meanwhile: every report waits in Redis and is
 * applied exactly once when Odoo takes it again, and each server ends with its newest status.
 */
describe.each<StandInProtocol>(['json2', 'jsonrpc'])(
  'Odoo down, slow and failing (%s)',
  (protocol) => {
    let system: FaultSystem;

    beforeAll(async () => {
      system = await FaultSystem.start({
        name: `odoo-faults-${protocol}`,
        servers: 12,
        intervalS: 2,
        protocol,
      });
    });
    afterAll(() => system?.stop());

    it('applies every report exactly once after recovery and keeps the newest status', async () => {
      const odoo = system.odoo;
      const interval = system.intervalMs;
      const count = (ok: boolean) => system.applyCalls().filter((c) => c.ok === ok).length;
      /** Until `n` more calls the stand-in has run end `ok` (or refused, with `false`). */
      const moreCalls = async (n: number, ok: boolean, what: string) => {
        const before = count(ok);
        await waitFor(what, () => count(ok) - before >= n, { timeoutMs: 60_000 });
      };
      // The catalog is read once at start: the writer is then Odoo's only caller, so the
      // failures queued below are all met by it.
      await system.startPoller('scheduler', { CATALOG_SYNC_MS: '600000' });
      await system.startPoller('worker');
      await system.startPoller('writer', { ODOO_TIMEOUT_MS: String(ODOO_TIMEOUT_MS) });
      const from = Date.now() + interval;
      const [comesBack, staysSilent] = system.responders;
      const [comesBackId, staysSilentId] = system.serverIds;
      if (!comesBack || !staysSilent || comesBackId === undefined || staysSilentId === undefined) {
        throw new Error('fault system has too few game servers');
      }

      await sleepUntil(from + interval);
      await odoo.setDown(true);
      // Two servers change state while their reports cannot reach Odoo.
      comesBack.setHandler(() => undefined);
      staysSilent.setHandler(() => undefined);
      await sleepUntil(from + 4 * interval);

      // Slow but under ODOO_TIMEOUT_MS: calls take long and succeed.
      odoo.setDelay(ODOO_TIMEOUT_MS / 2);
      await odoo.setDown(false);
      comesBack.setHandler(
        quake3Handler({
          info: { sv_hostname: 'back again', mapname: 'q3dm6', sv_maxclients: '16' },
          players: [{ score: 1, ping: 30, name: 'returned' }],
        }),
      );
      await moreCalls(2, true, 'two slow calls to succeed');

      // Slower than ODOO_TIMEOUT_MS: Odoo applies a call after the writer gave up on it, and
      // the writer's retry of that batch must change nothing. The writer has one call in
      // flight at a time, so of two calls run from here on, at least one was sent with the delay.
      odoo.setDelay(ODOO_TIMEOUT_MS + 1_000);
      await moreCalls(2, true, 'a call to be applied after the writer gave up on it');
      odoo.setDelay(0);

      odoo.failNext(1, 'http500');
      odoo.failNext(1, 'access');
      odoo.failNext(1, 'auth');
      await moreCalls(3, false, 'the writer to meet the three queued failures');
      const to = Math.max(Date.now(), from + 10 * interval) + 2 * interval;
      await sleepUntil(to);

      const slots = system.slots(from, to);
      await system.settle(slots, 60_000);
      const account = system.account(`Odoo down, slow, 500/access/auth (${protocol})`, slots);
      expect(account.examples).toEqual([]);
      expect(account).toMatchObject({ lost: 0, duplicated: 0, applied: slots.length });
      expect(system.bucketMismatches()).toEqual([]);
      // The too-slow phase did what it is for: Odoo received a batch again that it had applied.
      expect(system.applyCalls().some(isReplay)).toBe(true);

      // Newest status wins: each server shows its last report, whatever order the backlog took.
      const servers = new Map(odoo.records(GAME_SERVER_MODEL).map((r) => [r.id, r]));
      expect(servers.get(comesBackId)).toMatchObject({ is_online: true, map_name: 'q3dm6' });
      expect(servers.get(staysSilentId)).toMatchObject({
        is_online: false,
        last_error_code: 'timeout',
      });
      const newest = new Map<number, AppliedReport>();
      for (const report of system.applied()) {
        const seen = newest.get(report.server_id);
        if (!seen || Number(report['checked_at_ms']) > Number(seen['checked_at_ms'])) {
          newest.set(report.server_id, report);
        }
      }
      for (const id of system.serverIds) {
        expect(servers.get(id)?.['last_checked'], `server ${id}`).toBe(newest.get(id)?.checked_at);
      }

      // Every query made reached Odoo once: nothing dropped while Odoo was away.
      await system.stopPollers();
      await waitFor('every query applied', () => system.queryMismatches().length === 0, {
        timeoutMs: 30_000,
      }).catch(() => undefined);
      expect(system.queryMismatches()).toEqual([]);
    });
  },
);
