import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SlotAccount } from './account.js';

/**
 * The fault suite's table: each fault test appends its account to a file named by
 * GSS_FAULT_LEDGER (test workers inherit this process's environment), and the end of the
 * run prints them together.
 */
export default function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'gss-faults-'));
  const ledger = join(dir, 'ledger.jsonl');
  writeFileSync(ledger, '');
  process.env['GSS_FAULT_LEDGER'] = ledger;
  return () => {
    const accounts = readFileSync(ledger, 'utf8')
      .split('\n')
      .filter((line) => line.length > 0)
      .map((line) => JSON.parse(line) as SlotAccount);
    rmSync(dir, { recursive: true, force: true });
    if (accounts.length === 0) return;
    const header = ['fault', 'expected', 'applied', 'lost', 'duplicated'];
    const rows = accounts.map((a) => [
      a.fault,
      ...[a.expected, a.applied, a.lost, a.duplicated].map(String),
    ]);
    const widths = header.map((h, i) =>
      Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)),
    );
    const line = (cells: string[]): string =>
      cells
        .map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0)))
        .join('  ');
    process.stdout.write(
      `\nfault suite: reports per server and slot\n${line(header)}\n${rows.map(line).join('\n')}\n`,
    );
  };
}
