/* What the writer benches feed the writer: servers and their reports, and what Odoo charges. */
import { offlineReport, onlineReport, type ReportJobData } from '#common';

/**
 * Odoo's measured cost (docs/benchmarks.md, one Odoo with --workers 0): a small
 * call takes 8-15 ms, a 500-record create 0.15-0.4 s; so 12 ms per call plus 0.5 ms per record.
 */
export const MEASURED_ODOO_COST = { perCallMs: 12, perRecordMs: 0.5 };

/** Catalog rows for `count` bench servers named `<name>-<i>`. */
export function serverRows(count: number, name: string) {
  return Array.from({ length: count }, (_, i) => ({
    name: `${name}-${i}`,
    game: 'minecraft',
    host: '127.0.0.1',
    port: 1 + i,
  }));
}

/**
 * Reports for `count` polls, each server once per minute, all checked in the last hours; with
 * `offline`, every poll timed out.
 */
export function reports(
  servers: readonly number[],
  count: number,
  from: number,
  { offline = false } = {},
): ReportJobData[] {
  return Array.from({ length: count }, (_, i) => {
    const serverId = servers[i % servers.length]!;
    const at = new Date(from + Math.floor(i / servers.length) * 60_000 + (i % 1_000));
    if (offline) {
      const body = offlineReport(serverId, at, { code: 'timeout', message: 'no answer in 3 s' });
      return { ...body, slotStart: at.getTime() };
    }
    return {
      ...onlineReport(serverId, at, {
        latencyMs: 15,
        playersOnline: i % 40,
        playersMax: 40,
        bots: 0,
        playerNames: [],
        name: 'bench',
        map: 'world',
        version: '1.21',
        gameMode: null,
        passwordProtected: false,
      }),
      slotStart: at.getTime(),
    };
  });
}

export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

/** Runs a writer bench's main: exit 0 when done, 1 with the error when it fails. */
export function runWriterBench(main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(
        `writer bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
      );
      process.exit(1);
    },
  );
}
