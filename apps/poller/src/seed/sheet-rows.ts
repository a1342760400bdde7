import { parseHostPort, parsePort } from '#common';
import { type SheetColumns, type SheetField, matchColumns } from './columns.js';
import type { GameNames } from './game-names.js';
import { type SeedRow, type SeedServer, checkServer } from './seed-plan.js';

/** One non-empty row of a sheet: its line as the operator sees it (the header's is 1). */
export interface SheetRow {
  line: number;
  cells: string[];
}

const TRUE_WORDS = new Set(['true', 'yes', 'y', '1', 'x', 'on', 'active', 'enabled']);
const FALSE_WORDS = new Set(['false', 'no', 'n', '0', 'off', 'archived', 'inactive', 'disabled']);

/**
 * The rows of a sheet as seed rows: the first row is the header, every other row a server or a
 * bad row with each of its problems. A bad header makes the whole sheet one bad row.
 */
export function sheetRows(
  rows: readonly SheetRow[],
  games: GameNames,
): { rows: SeedRow[]; ignoredColumns: string[] } {
  const [header, ...body] = rows;
  if (header === undefined) {
    return {
      rows: [{ where: 'line 1', error: 'the sheet is empty (no header)' }],
      ignoredColumns: [],
    };
  }
  const columns = matchColumns(header.cells);
  if ('error' in columns) {
    return { rows: [{ where: `line ${header.line}`, error: columns.error }], ignoredColumns: [] };
  }
  return {
    rows: body.map((row) => parseSheetRow(row, columns, games)),
    ignoredColumns: columns.ignored,
  };
}

/**
 * One data row: the problems reading its cells (all of them at once), or else the server,
 * checked with the API's rules.
 */
export function parseSheetRow(row: SheetRow, columns: SheetColumns, games: GameNames): SeedRow {
  const where = `line ${row.line}`;
  const cell = (field: SheetField): string => {
    const at = columns.index[field];
    return at === undefined ? '' : (row.cells[at] ?? '').trim();
  };
  const problems: string[] = [];
  const number = (field: SheetField, label: string, read: (text: string) => number | undefined) => {
    const text = cell(field);
    if (text === '') return undefined;
    const value = read(text);
    if (value === undefined) problems.push(`bad ${label} '${text}'`);
    return value;
  };

  const game = games.resolve(cell('game'));
  if ('error' in game) problems.push(game.error);

  const address = cell('address');
  let host: string | undefined;
  let addressPort: number | undefined;
  if (address === '') {
    problems.push('missing host');
  } else {
    const target = parseHostPort(address);
    if ('error' in target) problems.push(target.error);
    else ({ host, port: addressPort } = target);
  }

  const portColumn = number('port', 'port', parsePort);
  if (addressPort !== undefined && portColumn !== undefined && addressPort !== portColumn) {
    problems.push(`the address says port ${addressPort}, the port column ${portColumn}`);
  }
  const port = addressPort ?? portColumn;
  if (port === undefined && cell('port') === '' && host !== undefined) {
    problems.push('missing port (a port column, or host:port in the address)');
  }
  const queryPort = number('queryPort', 'query port', parsePort);
  const pollIntervalS = number('pollIntervalS', 'poll interval', (text) =>
    /^\d{1,9}$/.test(text) ? Number(text) : undefined,
  );
  const active = readActive(cell('active'));
  if (active === undefined) problems.push(`bad active '${cell('active')}' (yes or no)`);

  if (problems.length > 0 || !('id' in game) || host === undefined || port === undefined) {
    return { where, error: problems.join('; ') };
  }
  const notes = cell('notes');
  const customer = cell('customer');
  const tags = cell('tags')
    .split(/[,;]/u)
    .map((tag) => tag.trim())
    .filter((tag) => tag !== '');
  const server: SeedServer = {
    name: cell('name'),
    game: game.id,
    host,
    port,
    ...(queryPort !== undefined && { queryPort }),
    ...(pollIntervalS !== undefined && { pollIntervalS }),
    ...(notes !== '' && { notes }),
    ...(customer !== '' && { customer }),
    ...(tags.length > 0 && { tags }),
    ...(!active && { active: false }),
  };
  return checkServer(where, server);
}

/** An empty cell means active; anything else must be a yes or a no word. */
function readActive(text: string): boolean | undefined {
  const word = text.toLowerCase();
  if (word === '' || TRUE_WORDS.has(word)) return true;
  return FALSE_WORDS.has(word) ? false : undefined;
}
