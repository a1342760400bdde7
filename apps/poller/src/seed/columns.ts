import { normalise } from './game-names.js';

/** What a sheet's column can hold. */
export type SheetField =
  | 'name'
  | 'game'
  | 'address'
  | 'port'
  | 'queryPort'
  | 'pollIntervalS'
  | 'active'
  | 'notes'
  | 'customer'
  | 'tags';

/**
 * Header names each field is known by, normalised (lower case, letters and digits only), so
 * `Server Name`, `server_name` and `SERVERNAME` are one name.
 */
const NAMES: Readonly<Record<SheetField, readonly string[]>> = {
  name: ['name', 'servername', 'displayname', 'title', 'label'],
  game: ['game', 'gameid', 'gametype', 'type', 'gamedig', 'gamedigtype', 'gamedigid'],
  address: [
    'address',
    'host',
    'hostname',
    'ip',
    'ipaddress',
    'addr',
    'serveraddress',
    'serverhost',
    'serverip',
    'domain',
  ],
  port: ['port', 'gameport', 'serverport'],
  queryPort: ['queryport', 'qport', 'statusport'],
  pollIntervalS: [
    'interval',
    'intervals',
    'pollinterval',
    'pollintervals',
    'intervalseconds',
    'pollintervalseconds',
  ],
  active: ['active', 'enabled', 'enable'],
  notes: ['notes', 'note', 'comment', 'comments', 'description'],
  customer: ['customer', 'client', 'customername', 'clientname', 'customerref', 'clientref'],
  tags: ['tags', 'tag', 'labels'],
};

const DESCRIPTIONS: Readonly<Record<SheetField, string>> = {
  name: 'name',
  game: 'game',
  address: 'address (host)',
  port: 'port',
  queryPort: 'query port',
  pollIntervalS: 'poll interval',
  active: 'active',
  notes: 'notes',
  customer: 'customer',
  tags: 'tags',
};

const FIELD_OF = new Map(
  Object.entries(NAMES).flatMap(([field, names]) =>
    names.map((name) => [name, field as SheetField] as const),
  ),
);

/** Without these a row cannot become a server; the port may be part of the address. */
const REQUIRED: readonly SheetField[] = ['name', 'game', 'address'];

/** Where each field is in a row (0-based), and the header cells that matched no field. */
export interface SheetColumns {
  index: Partial<Record<SheetField, number>>;
  ignored: string[];
}

/**
 * Reads a header row. Fails, naming every problem, when a required field has no column or
 * two columns claim one field; columns that mean nothing to the catalog are ignored.
 */
export function matchColumns(header: readonly string[]): SheetColumns | { error: string } {
  const index: Partial<Record<SheetField, number>> = {};
  const ignored: string[] = [];
  const problems: string[] = [];
  header.forEach((cell, at) => {
    const text = cell.trim();
    if (text === '') return;
    const field = FIELD_OF.get(normalise(text));
    if (field === undefined) {
      ignored.push(text);
    } else if (index[field] !== undefined) {
      problems.push(
        `columns '${header[index[field]]?.trim()}' and '${text}' both give the ${DESCRIPTIONS[field]}`,
      );
    } else {
      index[field] = at;
    }
  });
  for (const field of REQUIRED) {
    if (index[field] === undefined) problems.push(`no ${DESCRIPTIONS[field]} column`);
  }
  if (problems.length > 0) {
    const seen = header.map((cell) => cell.trim()).filter((cell) => cell !== '');
    return {
      error: `bad header: ${problems.join('; ')} (the header reads: ${seen.join(', ') || 'nothing'})`,
    };
  }
  return { index, ignored };
}
