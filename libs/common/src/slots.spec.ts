import { describe, expect, it } from 'vitest';
import { isSlotOver, slotStartFor } from './slots.js';

describe('slotStartFor', () => {
  it('returns the start of the slot that contains now, never a future one', () => {
    for (const id of [1, 2, 3, 999, 123_456]) {
      const now = 1_700_000_123_456;
      const start = slotStartFor(id, 60_000, now);
      expect(start).toBeLessThanOrEqual(now);
      expect(now - start).toBeLessThan(60_000);
    }
  });

  it('is stable inside a slot and advances by one interval at its end', () => {
    const now = 1_700_000_000_000;
    const start = slotStartFor(42, 10_000, now);
    expect(slotStartFor(42, 10_000, start)).toBe(start);
    expect(slotStartFor(42, 10_000, start + 9_999)).toBe(start);
    expect(slotStartFor(42, 10_000, start + 10_000)).toBe(start + 10_000);
  });

  it('spreads consecutive server ids over the interval', () => {
    const now = 1_700_000_000_000;
    const offsets = new Set(
      Array.from({ length: 100 }, (_, i) =>
        Math.floor((slotStartFor(i + 1, 60_000, now) % 60_000) / 6_000),
      ),
    );
    // 100 servers should touch most of the ten 6-second bands of a minute.
    expect(offsets.size).toBeGreaterThanOrEqual(8);
  });
});

describe('isSlotOver', () => {
  it('is false through the whole slot and true from the next slot on', () => {
    const slotStart = 1_700_000_000_000;
    expect(isSlotOver(slotStart, 60, slotStart)).toBe(false);
    expect(isSlotOver(slotStart, 60, slotStart + 59_999)).toBe(false);
    expect(isSlotOver(slotStart, 60, slotStart + 60_000)).toBe(true);
    expect(isSlotOver(slotStart, 60, slotStart + 3_600_000)).toBe(true);
  });
});
