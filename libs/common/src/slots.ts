/**
 * Each server gets a fixed phase inside its interval, derived from its id, so a
 * fleet's polls spread over the whole interval instead of all starting at :00.
 * Every scheduler process computes the same slots, which is what lets job ids
 * deduplicate when two of them run at once.
 */
export function slotStartFor(serverId: number, intervalMs: number, now: number): number {
  const phase = phaseOf(serverId, intervalMs);
  return Math.floor((now - phase) / intervalMs) * intervalMs + phase;
}

function phaseOf(serverId: number, intervalMs: number): number {
  // Knuth's multiplicative hash: consecutive ids land far apart in the interval.
  return Number((BigInt(serverId) * 2654435761n) % 4294967296n) % intervalMs;
}

/**
 * Whether a poll job's slot is over. Its server's next slot has its own job by then, so
 * polling this one would only poll the server twice in a row: after a backlog, every
 * server would be queried for each slot it missed, and the catch-up would double the load
 * exactly when the workers are already behind.
 */
export function isSlotOver(slotStart: number, intervalS: number, now: number): boolean {
  return now >= slotStart + intervalS * 1000;
}
