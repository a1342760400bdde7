import { describe, expect, it } from 'vitest';
import type { StatBucket } from '#common';
import { alignDown, mergeBuckets } from './history.aggregator.js';

const T0 = Date.UTC(2026, 10, 2, 10, 0, 0);
const MIN = 60_000;

function row(offsetMin: number, minutes: number, values: Partial<StatBucket> = {}): StatBucket {
  return {
    startMs: T0 + offsetMin * MIN,
    minutes,
    polls: 15,
    pollsOnline: 15,
    playersSum: 150,
    playersPeak: 12,
    latencySum: 300,
    ...values,
  };
}

describe('alignDown', () => {
  it('aligns to bucket sizes counted from the epoch, in UTC', () => {
    expect(alignDown(T0 + 37 * MIN + 5_000, 15)).toBe(T0 + 30 * MIN);
    expect(alignDown(T0 + 59 * MIN, 60)).toBe(T0);
    expect(alignDown(T0 + 5 * 60 * MIN, 1_440)).toBe(Date.UTC(2026, 10, 2));
  });
});

describe('mergeBuckets', () => {
  it('merges 15-minute rows into an hour by summing, and averages from the sums', () => {
    const sut = mergeBuckets(
      [
        row(0, 15, { polls: 15, pollsOnline: 15, playersSum: 150, playersPeak: 12 }),
        row(15, 15, {
          polls: 15,
          pollsOnline: 5,
          playersSum: 100,
          playersPeak: 30,
          latencySum: 50,
        }),
        row(30, 15, { polls: 10, pollsOnline: 0, playersSum: 0, playersPeak: 0, latencySum: 0 }),
      ],
      60,
    );

    expect(sut).toEqual([
      {
        start: new Date(T0).toISOString(),
        minutes: 60,
        polls: 40,
        pollsOnline: 20,
        uptimePct: 50,
        // (150 + 100) / 20 online polls, not the mean of the rows' averages (10 and 20).
        playersAvg: 12.5,
        playersPeak: 30,
        latencyAvgMs: 17.5,
      },
    ]);
  });

  it('keeps 15-minute rows apart when asked for 15 minutes, oldest first', () => {
    const sut = mergeBuckets([row(15, 15), row(0, 15)], 15);

    expect(sut.map((p) => p.start)).toEqual([
      new Date(T0).toISOString(),
      new Date(T0 + 15 * MIN).toISOString(),
    ]);
  });

  it('leaves a daily roll-up whole when asked for hours', () => {
    const day = Date.UTC(2026, 10, 1);
    const sut = mergeBuckets([{ ...row(0, 1_440), startMs: day }, row(0, 15)], 60);

    expect(sut.map((p) => [p.start, p.minutes])).toEqual([
      [new Date(day).toISOString(), 1_440],
      [new Date(T0).toISOString(), 60],
    ]);
  });

  it('gives null averages and uptime where nothing was measured', () => {
    const [sut] = mergeBuckets([row(0, 15, { polls: 0, pollsOnline: 0 })], 15);

    expect(sut).toMatchObject({ uptimePct: null, playersAvg: null, latencyAvgMs: null });
  });
});
