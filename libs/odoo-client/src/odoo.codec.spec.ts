import { describe, expect, it } from 'vitest';
import {
  decodeRecord,
  encodeValue,
  fromMany2one,
  fromOdooDatetime,
  nullIfFalse,
  toOdooDate,
  toOdooDatetime,
} from './odoo.codec.js';

describe('toOdooDatetime', () => {
  it('writes UTC without T, zone or milliseconds', () => {
    expect(toOdooDatetime(new Date('2026-10-01T08:09:10.987Z'))).toBe('2026-10-01 08:09:10');
  });

  it('converts an offset to UTC', () => {
    expect(toOdooDatetime('2026-10-01T02:00:00+02:00')).toBe('2026-10-01 00:00:00');
  });

  it('accepts epoch milliseconds', () => {
    expect(toOdooDatetime(0)).toBe('1970-01-01 00:00:00');
  });

  it('refuses an invalid date', () => {
    expect(() => toOdooDatetime('not a date')).toThrow(RangeError);
  });
});

describe('toOdooDate', () => {
  it('takes the UTC calendar day', () => {
    expect(toOdooDate(new Date('2026-10-01T23:30:00-02:00'))).toBe('2026-10-02');
  });
});

describe('fromOdooDatetime', () => {
  it('reads the string as UTC', () => {
    expect(fromOdooDatetime('2026-10-01 08:09:10')?.toISOString()).toBe('2026-10-01T08:09:10.000Z');
  });

  it('gives null for an empty field', () => {
    expect(fromOdooDatetime(false)).toBeNull();
    expect(fromOdooDatetime(null)).toBeNull();
  });

  it.each(['2026-10-01T08:09:10Z', '2026-10-01', '2026-02-30 00:00:00', '2026-10-01 08:09:10.5'])(
    'refuses %s',
    (value) => {
      expect(() => fromOdooDatetime(value)).toThrow(RangeError);
    },
  );

  it('round-trips with toOdooDatetime to the second', () => {
    const instant = new Date('2026-03-29T01:30:00.000Z');

    expect(fromOdooDatetime(toOdooDatetime(instant))).toEqual(instant);
  });
});

describe('nullIfFalse', () => {
  it('turns only false into null', () => {
    expect(nullIfFalse(false)).toBeNull();
    expect(nullIfFalse('')).toBe('');
    expect(nullIfFalse(0)).toBe(0);
  });
});

describe('fromMany2one', () => {
  it('turns [id, name] into {id, name}', () => {
    expect(fromMany2one([7, 'Europe'])).toEqual({ id: 7, name: 'Europe' });
  });

  it('gives null for an empty field', () => {
    expect(fromMany2one(false)).toBeNull();
  });

  it('refuses anything else', () => {
    expect(() => fromMany2one([7])).toThrow(TypeError);
  });
});

describe('decodeRecord', () => {
  it('maps false to null except in boolean fields, and decodes typed fields', () => {
    const sut = decodeRecord(
      {
        id: 3,
        name: 'alpha',
        map_name: false,
        is_online: false,
        last_checked: '2026-10-01 08:09:10',
        last_online: false,
        region_id: [7, 'Europe'],
        owner_id: false,
      },
      {
        is_online: 'boolean',
        last_checked: 'datetime',
        last_online: 'datetime',
        region_id: 'many2one',
        owner_id: 'many2one',
      },
    );

    expect(sut).toEqual({
      id: 3,
      name: 'alpha',
      map_name: null,
      is_online: false,
      last_checked: new Date('2026-10-01T08:09:10Z'),
      last_online: null,
      region_id: { id: 7, name: 'Europe' },
      owner_id: null,
    });
  });
});

describe('encodeValue', () => {
  it('turns every Date into an Odoo datetime, drops undefined members, keeps null', () => {
    const sut = encodeValue({
      domain: [['last_checked', '<', new Date('2026-10-01T00:00:00Z')]],
      vals: { a: undefined, b: null, c: [new Date('2026-10-02T00:00:00Z')] },
    });

    expect(sut).toEqual({
      domain: [['last_checked', '<', '2026-10-01 00:00:00']],
      vals: { b: null, c: ['2026-10-02 00:00:00'] },
    });
  });
});
