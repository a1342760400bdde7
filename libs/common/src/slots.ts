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
