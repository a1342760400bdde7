import { describe, expect, it } from 'vitest';
import { partsByServer } from './report-writer.service.js';

const job = (serverId: number, n: number) => ({ data: { serverId }, n });
const shape = (parts: { data: { serverId: number }; n: number }[][]) =>
  parts.map((part) => part.map((j) => `${j.data.serverId}.${j.n}`));

describe('partsByServer', () => {
  it('keeps a batch that fits in one part whole', () => {
    const jobs = [job(1, 0), job(2, 0), job(1, 1)];

    expect(shape(partsByServer(jobs, 3))).toEqual([['1.0', '1.1', '2.0']]);
  });

  it('cuts between servers, never through one, each server in batch order', () => {
    const jobs = [job(1, 0), job(2, 0), job(3, 0), job(1, 1), job(2, 1), job(4, 0)];

    expect(shape(partsByServer(jobs, 3))).toEqual([['1.0', '1.1'], ['2.0', '2.1', '3.0'], ['4.0']]);
  });

  it('gives a server with more reports than a part holds a part of its own', () => {
    const jobs = [job(7, 0), job(8, 0), job(8, 1), job(8, 2), job(9, 0)];

    expect(shape(partsByServer(jobs, 2))).toEqual([['7.0'], ['8.0', '8.1', '8.2'], ['9.0']]);
  });

  it('makes no part of nothing', () => {
    expect(partsByServer([], 500)).toEqual([]);
  });
});
