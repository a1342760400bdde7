import { describe, expect, it } from 'vitest';
import { SharedPromise } from './shared-promise.js';

describe('SharedPromise', () => {
  it('starts once for concurrent callers', async () => {
    const sut = new SharedPromise<number>();
    let starts = 0;
    const start = () => Promise.resolve(++starts);
    expect(await Promise.all([sut.get(start), sut.get(start), sut.get(start)])).toEqual([1, 1, 1]);
    expect(await sut.get(start)).toBe(1);
  });

  it('starts again after a failure', async () => {
    const sut = new SharedPromise<number>();
    await expect(sut.get(() => Promise.reject(new Error('down')))).rejects.toThrow('down');
    expect(await sut.get(() => Promise.resolve(2))).toBe(2);
  });

  it('forgets a stale value, but not a newer one', async () => {
    const sut = new SharedPromise<number>();
    const first = sut.get(() => Promise.resolve(1));
    sut.forget(first);
    const second = sut.get(() => Promise.resolve(2));
    sut.forget(first);
    expect(await sut.get(() => Promise.resolve(3))).toBe(2);
    expect(await second).toBe(2);
  });
});
