import { describe, expect, it } from 'vitest';
import { duration, OutageLog } from './outage-log.js';

function recorder() {
  const lines: { level: string; message: string }[] = [];
  const push = (level: string) => (message: string) => lines.push({ level, message });
  return { lines, logger: { warn: push('warn'), error: push('error'), log: push('log') } };
}

describe('OutageLog', () => {
  it('says a failure once, then again after 10 s, 20 s, 40 s ... however often it is retried', () => {
    const { lines, logger } = recorder();
    const sut = new OutageLog(logger, 'Redis at 10.0.0.5:6379');
    // A retry every second for five minutes.
    for (let s = 0; s <= 300; s++)
      sut.failed('connection refused (ECONNREFUSED)', 1_000, false, s * 1_000);
    expect(lines.map((line) => line.message)).toEqual([
      'Redis at 10.0.0.5:6379: connection refused (ECONNREFUSED); retrying in 1 s',
      'Redis at 10.0.0.5:6379: connection refused (ECONNREFUSED); retrying in 1 s, failing for 10 s',
      'Redis at 10.0.0.5:6379: connection refused (ECONNREFUSED); retrying in 1 s, failing for 30 s',
      'Redis at 10.0.0.5:6379: connection refused (ECONNREFUSED); retrying in 1 s, failing for 1 min 10 s',
      'Redis at 10.0.0.5:6379: connection refused (ECONNREFUSED); retrying in 1 s, failing for 2 min 30 s',
    ]);
    expect(new Set(lines.map((line) => line.level))).toEqual(new Set(['warn']));
  });

  it('repeats every 5 minutes once the gaps have grown that long', () => {
    const { lines, logger } = recorder();
    const sut = new OutageLog(logger, 'Odoo');
    for (let s = 0; s <= 3_600; s += 2) sut.failed('down', 2_000, false, s * 1_000);
    // At 0, 10, 30, 70, 150 and 310 s, then every 300 s: 610, 910, ... 3,310 s.
    expect(lines).toHaveLength(16);
    expect(lines.at(-1)?.message).toBe('Odoo: down; retrying in 2 s, failing for 55 min 10 s');
    expect(lines.at(-2)?.message).toBe('Odoo: down; retrying in 2 s, failing for 50 min 10 s');
  });

  it('says once that the dependency is back, and starts over at the next failure', () => {
    const { lines, logger } = recorder();
    const sut = new OutageLog(logger, 'Odoo at http://odoo:8069 (database gss)');
    sut.failed('refused', 500, false, 0);
    sut.failed('refused', 500, false, 4_000);
    sut.recovered(65_000);
    sut.recovered(66_000);
    sut.failed('refused', 500, true, 70_000);
    expect(lines).toEqual([
      {
        level: 'warn',
        message: 'Odoo at http://odoo:8069 (database gss): refused; retrying in 500 ms',
      },
      { level: 'log', message: 'Odoo at http://odoo:8069 (database gss): back after 1 min 5 s' },
      {
        level: 'error',
        message: 'Odoo at http://odoo:8069 (database gss): refused; retrying in 500 ms',
      },
    ]);
    expect(sut.down).toBe(true);
  });
});

describe('duration', () => {
  it.each([
    [850, '850 ms'],
    [12_400, '12 s'],
    [60_000, '1 min'],
    [200_000, '3 min 20 s'],
  ])('%i ms reads %s', (ms, text) => {
    expect(duration(ms)).toBe(text);
  });
});
