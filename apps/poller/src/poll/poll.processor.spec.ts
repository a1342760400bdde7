import { describe, expect, it } from 'vitest';
import { pollLockTimings } from './poll.processor.js';

describe('pollLockTimings', () => {
  it('locks a job for twice the query timeout, never less than the floor, checked every half lock', () => {
    expect(pollLockTimings(3_000)).toEqual({ lockDuration: 15_000, stalledInterval: 7_500 });
    expect(pollLockTimings(10_000)).toEqual({ lockDuration: 20_000, stalledInterval: 10_000 });
  });
});
