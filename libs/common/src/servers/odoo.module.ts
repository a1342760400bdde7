import { type DynamicModule, Module, type OnModuleDestroy } from '@nestjs/common';
import { OdooClient } from '#odoo-client';
import type { OdooEnv } from '../config/env.js';
import { OutageLog, type OutageLogger } from '../logging/outage-log.js';
import { ServerRepository } from './server.repository.js';

/** A client of the Odoo database `odoo` names (also for commands that run without Nest). */
export function odooClientFor(odoo: OdooEnv): OdooClient {
  return new OdooClient({
    url: odoo.ODOO_URL,
    db: odoo.ODOO_DB,
    login: odoo.ODOO_LOGIN,
    apiKey: odoo.ODOO_API_KEY,
    protocol: odoo.ODOO_PROTOCOL,
    timeoutMs: odoo.ODOO_TIMEOUT_MS,
  });
}

/** How a role says Odoo is failing: its address (never credentials) and database, once per backoff step. */
export function odooOutageLog(logger: OutageLogger, odoo: OdooEnv): OutageLog {
  return new OutageLog(
    logger,
    `Odoo at ${new URL(odoo.ODOO_URL).origin} (database ${odoo.ODOO_DB})`,
  );
}

/** The Odoo client for the configured database, and the catalog repository on top of it. */
@Module({})
export class OdooModule implements OnModuleDestroy {
  constructor(private readonly client: OdooClient) {}

  /** Frees the client's keep-alive sockets, so a closing process is not held open. */
  onModuleDestroy(): void {
    this.client.close();
  }

  static forRoot(odoo: OdooEnv): DynamicModule {
    const client = { provide: OdooClient, useFactory: () => odooClientFor(odoo) };
    return {
      module: OdooModule,
      global: true,
      providers: [client, ServerRepository],
      exports: [client, ServerRepository],
    };
  }
}
