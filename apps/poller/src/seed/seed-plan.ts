import { type CatalogServer, type NewServer, newServerProblems, newServerRules } from '#common';
import { GAME_IDS } from '#providers';

/**
 * A server to add: the catalog fields, false `active` for one that arrives archived, and its
 * customer as the sheet names it (a contact's name or reference), until it is found in Odoo
 * (`resolveCustomers`) and becomes `customerId`.
 */
export type SeedServer = NewServer & { active?: boolean; customer?: string };

/**
 * One entry of a source, good or bad. `where` is how the operator finds it again: `line 7`
 * of a sheet, `demo 3`, `source id 42` of another Odoo.
 */
export type SeedRow = { where: string; server: SeedServer } | { where: string; error: string };

export interface SeedPlan {
  add: { where: string; server: SeedServer }[];
  /** Already in the catalog (same game, host and port). */
  skipped: { where: string; server: SeedServer }[];
  bad: { where: string; error: string }[];
}

/** The rules of POST /servers, so a seeded server is one the API would have accepted. */
const RULES = newServerRules(GAME_IDS);

/** `server` as a good row if it follows the API's rules, else a bad row naming each broken rule. */
export function checkServer(where: string, server: SeedServer): SeedRow {
  const fields: Record<string, unknown> = { ...server };
  // Not fields of POST /servers (an archived server is made by PATCH; the customer is named, not
  // an id yet), but a catalog's own.
  delete fields['active'];
  delete fields['customer'];
  const problems = newServerProblems(RULES, fields);
  return problems.length > 0 ? { where, error: problems.join('; ') } : { where, server };
}

/**
 * Sorts a source's rows into those to add, those already in the catalog, and bad ones. A
 * server is the same as another when game, host (any case) and port are: the catalog then
 * keeps the first, and a repeat inside the source is a bad row pointing at the first.
 */
export function planSeed(rows: readonly SeedRow[], catalog: readonly CatalogServer[]): SeedPlan {
  const plan: SeedPlan = { add: [], skipped: [], bad: [] };
  const existing = new Set(catalog.map(serverKey));
  const firstSeen = new Map<string, string>();
  for (const row of rows) {
    if ('error' in row) {
      plan.bad.push(row);
      continue;
    }
    const key = serverKey(row.server);
    const first = firstSeen.get(key);
    if (first !== undefined) {
      plan.bad.push({
        where: row.where,
        error: `same game, host and port as ${first} (${describe(row.server)})`,
      });
    } else {
      firstSeen.set(key, row.where);
      (existing.has(key) ? plan.skipped : plan.add).push(row);
    }
  }
  return plan;
}

/** How a server is named in the seed's output: `Survival EU (minecraft 127.0.0.1:25565)`. */
export function describe(server: Pick<NewServer, 'name' | 'game' | 'host' | 'port'>): string {
  const host = server.host.includes(':') ? `[${server.host}]` : server.host;
  return `${server.name} (${server.game} ${host}:${server.port})`;
}

function serverKey(server: Pick<NewServer, 'game' | 'host' | 'port'>): string {
  return `${server.game} ${server.host.toLowerCase()} ${server.port}`;
}
