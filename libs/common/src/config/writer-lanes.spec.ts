import { describe, expect, it } from 'vitest';
import { maxWriterLanes, PollerEnv } from './env.js';
import { validateEnv } from './load-config.js';

describe('WRITER_LANES against ODOO_WORKERS', () => {
  it('defaults to one lane for an Odoo whose workers are not known', () => {
    const sut = validateEnv(PollerEnv, {});
    expect(sut).toMatchObject({ WRITER_LANES: 1, ODOO_WORKERS: 0 });
  });

  it.each([
    [0, 1],
    [1, 1],
    [2, 1],
    [3, 2],
    [4, 3],
    [9, 8],
  ])('lets an Odoo with %i workers take %i lanes at most', (workers, lanes) => {
    expect(maxWriterLanes(workers)).toBe(lanes);
  });

  it.each([
    ['3', '2'],
    ['5', '4'],
    ['2', '1'],
    ['1', '1'],
  ])('accepts ODOO_WORKERS=%s with WRITER_LANES=%s, leaving a worker free', (workers, lanes) => {
    const sut = validateEnv(PollerEnv, { ODOO_WORKERS: workers, WRITER_LANES: lanes });
    expect(sut).toMatchObject({ ODOO_WORKERS: Number(workers), WRITER_LANES: Number(lanes) });
  });

  it.each([
    ['2', '2', 1],
    ['3', '3', 2],
    ['3', '4', 2],
    ['8', '8', 7],
  ])(
    'refuses ODOO_WORKERS=%s with WRITER_LANES=%s, naming both, the rule and the most allowed',
    (workers, lanes, most) => {
      expect(() => validateEnv(PollerEnv, { ODOO_WORKERS: workers, WRITER_LANES: lanes })).toThrow(
        `WRITER_LANES=${lanes} with ODOO_WORKERS=${workers} would take every Odoo worker and ` +
          `leave none for people and the API: WRITER_LANES may be at most ` +
          `max(1, ODOO_WORKERS - 1) = ${most}`,
      );
    },
  );

  it('refuses more than one lane without ODOO_WORKERS, and says to set it', () => {
    expect(() => validateEnv(PollerEnv, { WRITER_LANES: '2' })).toThrow(
      /WRITER_LANES=2 with ODOO_WORKERS=0 .* at most max\(1, ODOO_WORKERS - 1\) = 1\. Set ODOO_WORKERS to Odoo's --workers \(unset or 0: a threaded Odoo, one lane\)/,
    );
  });

  it('reports a malformed ODOO_WORKERS or WRITER_LANES by itself, not as a broken rule', () => {
    for (const env of [
      { ODOO_WORKERS: 'many', WRITER_LANES: '2' },
      { ODOO_WORKERS: '-1' },
      { ODOO_WORKERS: '3', WRITER_LANES: 'two' },
    ]) {
      expect(() => validateEnv(PollerEnv, env)).toThrow(/ODOO_WORKERS|WRITER_LANES/);
      expect(() => validateEnv(PollerEnv, env)).not.toThrow(/leave none for people/);
    }
  });
});
