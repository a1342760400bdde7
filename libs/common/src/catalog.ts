/** A game server as the catalog (Odoo's game.server) describes it to the poller and the API. */
export interface CatalogServer {
  id: number;
  name: string;
  game: string;
  host: string;
  port: number;
  /** Port answering status queries when it differs from the game port. */
  queryPort: number | null;
  /** Seconds between polls; null means the poller's default. */
  pollIntervalS: number | null;
  active: boolean;
}

/** Odoo model and method names: the contract with the addon game_server_status. */
export const ODOO_SERVER_MODEL = 'game.server';
export const ODOO_APPLY_REPORTS_METHOD = 'apply_status_reports';

/** The live state the writer keeps on each server in Odoo. */
export interface ServerLiveStatus {
  online: boolean;
  playersOnline: number | null;
  playersMax: number | null;
  bots: number | null;
  latencyMs: number | null;
  map: string | null;
  version: string | null;
  gameMode: string | null;
  motd: string | null;
  passwordProtected: boolean | null;
  playerNames: string[];
  /** ISO-8601 UTC, or null before the first poll. */
  lastChecked: string | null;
  lastOnline: string | null;
  lastError: { code: string; message: string } | null;
  consecutiveFailures: number;
}

/** Who a server is rented to: a contact (res.partner) in Odoo. */
export interface ServerCustomer {
  id: number;
  name: string;
}

/** Whether players see a server on the public page (/public), and under which name. */
export interface ServerPublicPage {
  published: boolean;
  /** The public page shows the host and port to join with. */
  showAddress: boolean;
  /** Its name in public links; made by Odoo from the server's name when first published. */
  slug: string | null;
}

/** A catalog entry with its live status, as the API shows it. */
export interface ServerView extends CatalogServer {
  notes: string | null;
  customer: ServerCustomer | null;
  /** Names of the server's tags, in Odoo's tag order. */
  tags: string[];
  publicPage: ServerPublicPage;
  status: ServerLiveStatus;
}

/** What a client gives to register a server. */
export interface NewServer {
  name: string;
  game: string;
  host: string;
  port: number;
  queryPort?: number | null;
  pollIntervalS?: number | null;
  notes?: string | null;
  /** A contact's id in Odoo (res.partner); null: no customer. */
  customerId?: number | null;
  /** Tag names; those Odoo does not have yet are created. */
  tags?: string[];
  /** On the public page (default false). */
  published?: boolean;
  /** The public page shows its address (default false). */
  showAddress?: boolean;
}
