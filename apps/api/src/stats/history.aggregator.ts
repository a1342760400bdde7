import type { StatBucket } from '#common';

/** Bucket sizes a history can be asked in, in minutes. */
export const HISTORY_BUCKETS = { '15m': 15, '1h': 60, '1d': 1_440 } as const;
export type HistoryBucket = keyof typeof HISTORY_BUCKETS;

/** One point of a server's history, as charts read it. */
export interface HistoryPoint {
  /** Start of the bucket, ISO-8601 UTC. */
  start: string;
  /** Its length: the asked size, or more where only coarser (rolled-up) rows exist. */
  minutes: number;
  polls: number;
  pollsOnline: number;
  /** 100 x online polls / polls; null without polls. */
  uptimePct: number | null;
  /** Average players over the online polls; null when none was online. */
  playersAvg: number | null;
  playersPeak: number;
  latencyAvgMs: number | null;
}

/** Start of the `minutes`-long bucket containing `ms`, counted from the Unix epoch (UTC). */
export function alignDown(ms: number, minutes: number): number {
  const size = minutes * 60_000;
  return Math.floor(ms / size) * size;
}

/**
 * Merges Odoo's stat rows into buckets of `minutes`, by summing: averages are taken from the
 * merged sums and counts, so every figure is exact (never an average of averages). A row
 * coarser than the asked size (a daily roll-up) cannot be split and stays a point of its own size.
 */
export function mergeBuckets(rows: readonly StatBucket[], minutes: number): HistoryPoint[] {
  const merged = new Map<string, StatBucket>();
  for (const row of rows) {
    const size = Math.max(minutes, row.minutes);
    const startMs = alignDown(row.startMs, size);
    const key = `${startMs}/${size}`;
    const into = merged.get(key);
    if (!into) {
      merged.set(key, { ...row, startMs, minutes: size });
      continue;
    }
    into.polls += row.polls;
    into.pollsOnline += row.pollsOnline;
    into.playersSum += row.playersSum;
    into.playersPeak = Math.max(into.playersPeak, row.playersPeak);
    into.latencySum += row.latencySum;
  }
  return [...merged.values()]
    .sort((a, b) => a.startMs - b.startMs || a.minutes - b.minutes)
    .map((b) => ({
      start: new Date(b.startMs).toISOString(),
      minutes: b.minutes,
      polls: b.polls,
      pollsOnline: b.pollsOnline,
      uptimePct: b.polls > 0 ? (100 * b.pollsOnline) / b.polls : null,
      playersAvg: b.pollsOnline > 0 ? b.playersSum / b.pollsOnline : null,
      playersPeak: b.playersPeak,
      latencyAvgMs: b.pollsOnline > 0 ? b.latencySum / b.pollsOnline : null,
    }));
}
