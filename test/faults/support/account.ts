import { appendFileSync } from 'node:fs';
import { slotStartFor } from '#common';
import type { AppliedReport } from '../../support/odoo-stand-in.js';

/** One fault's outcome: every (server, slot) that should have been reported, and what became of it. */
export interface SlotAccount {
  fault: string;
  /** (server, slot) pairs that must each end up in Odoo exactly once. */
  expected: number;
  /** Expected pairs with exactly one report applied. */
  applied: number;
  /** Expected pairs with none. */
  lost: number;
  /** Pairs (expected or not) with more than one report applied: a double poll or a double write. */
  duplicated: number;
  /** The first few pairs that were lost or duplicated, for the failure message. */
  examples: string[];
}

export interface ServerSlot {
  serverId: number;
  slotStart: number;
}

/**
 * Every slot of every server that starts inside [from, to): what a run must have polled.
 * `allowMissing` names slots the fault may legitimately cost (e.g. ticks while Redis was down);
 * those are neither expected nor counted as lost, but a double report in them still counts.
 */
export function slotsBetween(
  serverIds: readonly number[],
  intervalMs: number,
  from: number,
  to: number,
  allowMissing: (slot: ServerSlot) => boolean = () => false,
): ServerSlot[] {
  const slots: ServerSlot[] = [];
  for (const serverId of serverIds) {
    for (
      let slotStart = slotStartFor(serverId, intervalMs, from);
      slotStart < to;
      slotStart += intervalMs
    ) {
      if (slotStart < from) continue;
      const slot = { serverId, slotStart };
      if (!allowMissing(slot)) slots.push(slot);
    }
  }
  return slots;
}

/**
 * Counts what Odoo applied per (server, slot). A report belongs to the slot its check time falls
 * in, which is the slot it was polled for as long as polls run inside their slot (the poll
 * timeout is far below the interval in every fault test).
 */
export function accountSlots(
  fault: string,
  expected: readonly ServerSlot[],
  applied: readonly AppliedReport[],
  intervalMs: number,
): SlotAccount {
  const key = (s: ServerSlot): string => `${s.serverId}@${s.slotStart}`;
  // Check times (ms into the slot) of each pair's reports: a double poll shows two, a double
  // write the same one twice.
  const checks = new Map<string, number[]>();
  for (const report of applied) {
    const serverId = report.server_id;
    const checkedMs = Number(report['checked_at_ms']);
    const slotStart = slotStartFor(serverId, intervalMs, checkedMs);
    const pair = key({ serverId, slotStart });
    const offsets = checks.get(pair);
    if (offsets) offsets.push(checkedMs - slotStart);
    else checks.set(pair, [checkedMs - slotStart]);
  }
  const account: SlotAccount = {
    fault,
    expected: expected.length,
    applied: 0,
    lost: 0,
    duplicated: 0,
    examples: [],
  };
  const note = (text: string): void => {
    if (account.examples.length < 10) account.examples.push(text);
  };
  for (const slot of expected) {
    const n = checks.get(key(slot))?.length ?? 0;
    if (n === 0) {
      account.lost++;
      note(`lost server ${slot.serverId} slot ${new Date(slot.slotStart).toISOString()}`);
    } else if (n === 1) account.applied++;
  }
  for (const [pair, offsets] of checks) {
    if (offsets.length > 1) {
      account.duplicated++;
      note(`${offsets.length} reports for ${pair}, checked at +${offsets.join(', +')} ms`);
    }
  }
  return account;
}

/**
 * Adds an account to the run's ledger; the suite prints all of them as one table at the end
 * (see ledger.setup.ts). Outside the fault suite (no ledger) it only returns the account.
 */
export function recordAccount(account: SlotAccount): SlotAccount {
  const ledger = process.env['GSS_FAULT_LEDGER'];
  if (ledger) appendFileSync(ledger, `${JSON.stringify(account)}\n`);
  return account;
}
