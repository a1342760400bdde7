/** What bench/e2e.bench.ts and its fleet processes (bench/e2e-fleet.ts) say over IPC. */

export type FleetProtocol = 'minecraft' | 'valve' | 'quake3';
export type FleetBehaviour = 'ok' | 'silent' | 'slow' | 'flapping';

/**
 * One simulated server: catalog id, the address it listens on (on a port the OS gives), what
 * it speaks and how it behaves.
 */
export type FleetServer = [
  id: number,
  address: string,
  protocol: FleetProtocol,
  behaviour: FleetBehaviour,
];

export type FleetRequest =
  | { type: 'start'; servers: FleetServer[]; intervalMs: number; slowMs: number }
  /** Polls counted for slots starting in [from, to). */
  | { type: 'count'; from: number; to: number }
  | { type: 'stop' };

export interface FleetCounts {
  /** Polls received for slots in the window. */
  polls: number;
  /** (server, slot) pairs polled at least once. */
  polledSlots: number;
  /** (server, slot) pairs polled more than once. */
  doubleSlots: number;
  /** Polls per protocol. */
  byProtocol: Record<FleetProtocol, number>;
}

export function noCounts(): FleetCounts {
  return {
    polls: 0,
    polledSlots: 0,
    doubleSlots: 0,
    byProtocol: { minecraft: 0, valve: 0, quake3: 0 },
  };
}

export type FleetAnswer =
  /** The port each server was given, in the order of the start request. */
  | { type: 'ready'; ports: number[] }
  | { type: 'counts'; counts: FleetCounts }
  | { type: 'error'; message: string };
