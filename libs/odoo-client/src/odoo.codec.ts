/**
 * Values as Odoo's ORM writes and reads them over RPC.
 *
 * Odoo stores datetimes in UTC and exchanges them as 'YYYY-MM-DD HH:MM:SS' strings: no 'T',
 * no zone, no milliseconds. It answers `false` for an empty field of any type, so a boolean
 * field is the only place where `false` means false. A many2one comes back as `[id, name]`.
 */

/** A many2one value as our code wants it. */
export interface OdooRef {
  id: number;
  name: string;
}

/** How `decodeRecord` treats one field; unlisted fields decode as `scalar`. */
export type OdooFieldCodec = 'boolean' | 'datetime' | 'date' | 'many2one' | 'scalar';

const DATETIME = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** A UTC instant as Odoo's datetime string; milliseconds are dropped, not rounded. */
export function toOdooDatetime(value: Date | string | number): string {
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) throw new RangeError(`Not a valid date: ${String(value)}`);
  return date.toISOString().slice(0, 19).replace('T', ' ');
}

/** A calendar day as Odoo's date string, taken in UTC. */
export function toOdooDate(value: Date | string | number): string {
  return toOdooDatetime(value).slice(0, 10);
}

/** Odoo's datetime string, read as UTC; `false` (empty) gives null. */
export function fromOdooDatetime(value: string | false | null): Date | null {
  if (value === false || value === null) return null;
  const m = DATETIME.exec(value);
  if (!m) throw new RangeError(`Not an Odoo datetime: ${value}`);
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const date = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  // Date.UTC rolls '2026-02-30' over into March; Odoo would never send it, so refuse it.
  if (date.getUTCDate() !== d || date.getUTCMonth() !== mo - 1) {
    throw new RangeError(`Not an Odoo datetime: ${value}`);
  }
  return date;
}

/** Odoo's `false` for an empty non-boolean field, as null. */
export function nullIfFalse<T>(value: T | false): T | null {
  return value === false ? null : value;
}

/** A many2one `[id, name]` pair as `{id, name}`; `false` (empty) gives null. */
export function fromMany2one(value: unknown): OdooRef | null {
  if (value === false || value === null || value === undefined) return null;
  if (Array.isArray(value) && typeof value[0] === 'number' && typeof value[1] === 'string') {
    return { id: value[0], name: value[1] };
  }
  throw new TypeError(`Not a many2one value: ${JSON.stringify(value)}`);
}

/**
 * One record from `read`/`search_read` into plain values. Odoo's answer does not say which
 * field is boolean, so `false` becomes null everywhere except in fields named as `boolean`.
 */
export function decodeRecord(
  record: Readonly<Record<string, unknown>>,
  codecs: Readonly<Record<string, OdooFieldCodec>> = {},
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(record)) {
    out[field] = decodeValue(value, codecs[field] ?? 'scalar');
  }
  return out;
}

function decodeValue(value: unknown, codec: OdooFieldCodec): unknown {
  switch (codec) {
    case 'boolean':
      return value === true;
    case 'datetime':
      return typeof value === 'string' ? fromOdooDatetime(value) : null;
    case 'date':
      return typeof value === 'string' && DATE.test(value) ? value : null;
    case 'many2one':
      return fromMany2one(value);
    case 'scalar':
      return value === false ? null : value;
  }
}

/**
 * A value on its way to Odoo: every `Date` inside becomes a UTC datetime string and undefined
 * object members are dropped. null stays null: Odoo stores None as empty for every field type,
 * and custom methods may tell None from False.
 */
export function encodeValue(value: unknown): unknown {
  if (value instanceof Date) return toOdooDatetime(value);
  if (Array.isArray(value)) return value.map(encodeValue);
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      if (item !== undefined) out[key] = encodeValue(item);
    }
    return out;
  }
  return value;
}
