import type { SeedRow } from './seed-plan.js';

/** Where customers are looked up and created: Odoo's contacts. */
export interface ContactDirectory {
  /** For each text, the ids of the contacts whose name or reference is exactly that text. */
  matchContacts(texts: readonly string[]): Promise<Map<string, number[]>>;
  /** Creates companies of these names; answers their ids by name. */
  createContacts(names: readonly string[]): Promise<Map<string, number>>;
}

export interface CustomerResolution {
  rows: SeedRow[];
  /** Customers created (or, in a dry run, that would be). */
  created: string[];
}

/**
 * Turns each row's customer, as the sheet names it, into a contact's id. A name or reference
 * that matches one contact is that contact; one that matches several is a bad row (the
 * reference tells them apart); one that matches none is a bad row, unless `create` is set:
 * then one company is made per such name (none in a `dryRun`, which only says so).
 */
export async function resolveCustomers(
  rows: readonly SeedRow[],
  contacts: ContactDirectory,
  { create, dryRun }: { create: boolean; dryRun: boolean },
): Promise<CustomerResolution> {
  const named = [...new Set(rows.flatMap((row) => ('server' in row && row.server.customer) || []))];
  if (named.length === 0) return { rows: [...rows], created: [] };
  const matches = await contacts.matchContacts(named);
  const missing = named.filter((text) => (matches.get(text) ?? []).length === 0);
  const created =
    create && missing.length > 0 && !dryRun
      ? await contacts.createContacts(missing)
      : new Map<string, number>();
  const resolved = rows.map((row): SeedRow => {
    if (!('server' in row) || row.server.customer === undefined) return row;
    const { customer, ...server } = row.server;
    const ids = matches.get(customer) ?? [];
    if (ids.length > 1) {
      return {
        where: row.where,
        error: `customer '${customer}' matches ${ids.length} contacts in Odoo; give its reference instead`,
      };
    }
    const id = ids[0] ?? created.get(customer);
    if (id !== undefined) return { where: row.where, server: { ...server, customerId: id } };
    if (create && dryRun) return { where: row.where, server };
    return {
      where: row.where,
      error: `customer '${customer}' is not a contact in Odoo (add it there, or seed with --create-customers)`,
    };
  });
  return { rows: resolved, created: create ? missing : [] };
}
