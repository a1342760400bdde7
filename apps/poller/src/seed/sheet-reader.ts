import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { type InfoDataSet, parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import type { SheetRow } from './sheet-rows.js';

/** A sheet that cannot be read at all (missing, not CSV or XLSX, broken); no row is usable. */
export class SheetError extends Error {}

/**
 * The non-empty rows of a CSV or XLSX file (by extension), every cell as the text the
 * operator sees, each row with its line number in the file (CSV) or its row number (XLSX).
 */
export async function readSheet(path: string): Promise<SheetRow[]> {
  const extension = extname(path).toLowerCase();
  try {
    if (extension === '.csv' || extension === '.tsv' || extension === '.txt') {
      return csvRows(await readFile(path, 'utf8'));
    }
    if (extension === '.xlsx') return await xlsxRows(path);
  } catch (err) {
    throw new SheetError(`cannot read ${path}: ${(err as Error).message}`);
  }
  throw new SheetError(
    `cannot read ${path}: only .csv (also .tsv, .txt) and .xlsx are read; save the sheet as one of them`,
  );
}

/**
 * CSV as spreadsheets export it: comma, semicolon (locales with a decimal comma) or tab, as
 * the header line uses most; a byte-order mark; quoted cells across lines.
 */
export function csvRows(text: string): SheetRow[] {
  const records = parse(text, {
    bom: true,
    delimiter: delimiterOf(text),
    info: true,
    relax_column_count: true,
    skip_empty_lines: true,
    // The typings do not follow `info`: each record then comes with where it was read.
  }) as unknown as { record: string[]; info: InfoDataSet }[];
  return records
    .map(({ record, info }) => ({
      // csv-parse counts the line a record ends on; a quoted cell may span several.
      line: info.lines - record.reduce((breaks, cell) => breaks + newlines(cell), 0),
      cells: record,
    }))
    .filter((row) => row.cells.some((cell) => cell.trim() !== ''));
}

async function xlsxRows(path: string): Promise<SheetRow[]> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.readFile(path);
  const sheet = workbook.worksheets[0];
  if (sheet === undefined) return [];
  const rows: SheetRow[] = [];
  sheet.eachRow((row, line) => {
    const cells: string[] = [];
    // `text` is what the sheet shows: a formula's result, a link's text, a number as written.
    for (let column = 1; column <= sheet.columnCount; column++) {
      cells.push(row.getCell(column).text);
    }
    if (cells.some((cell) => cell.trim() !== '')) rows.push({ line, cells });
  });
  return rows;
}

function delimiterOf(text: string): string {
  const firstLine = text.split('\n', 1)[0] ?? '';
  const counts = [',', ';', '\t'].map((d) => [d, firstLine.split(d).length - 1] as const);
  const [best] = [...counts].sort((a, b) => b[1] - a[1]);
  return best && best[1] > 0 ? best[0] : ',';
}

function newlines(text: string): number {
  return text.split('\n').length - 1;
}
