import axios from 'axios';
import { afterEach, describe, expect, it } from 'vitest';
import { startHttpResponder, type HttpResponder } from '../../../test/support/http-responder.js';
import { OdooStandIn } from '../../../test/support/odoo-stand-in.js';
import { listDatabases } from './odoo.databases.js';
import type { OdooConnection } from './odoo.transport.js';

function connectionTo(url: string): OdooConnection {
  return {
    url,
    db: 'gamedb',
    login: 'bot',
    apiKey: 'key',
    timeoutMs: 2_000,
    http: axios.create(),
    userAgent: 'odoo-databases-spec',
  };
}

describe('listDatabases', () => {
  const stops: (() => Promise<void>)[] = [];

  afterEach(async () => {
    for (const stop of stops.splice(0)) await stop();
  });

  const standIn = async (options: ConstructorParameters<typeof OdooStandIn>[0]) => {
    const odoo = new OdooStandIn(options);
    stops.push(() => odoo.stop());
    return odoo.start();
  };
  const responder = async (...args: Parameters<typeof startHttpResponder>) => {
    const server: HttpResponder = await startHttpResponder(...args);
    stops.push(() => server.stop());
    return server.url;
  };

  it('gives the databases Odoo lists', async () => {
    const url = await standIn({ db: 'gamedb', otherDbs: ['staging'] });

    expect(await listDatabases(connectionTo(url))).toEqual({ databases: ['gamedb', 'staging'] });
  });

  it('says why there are none when list_db is off', async () => {
    const url = await standIn({ listDb: false });

    expect(await listDatabases(connectionTo(url))).toEqual({
      why: 'it does not list its databases (list_db is off)',
    });
  });

  it('asks the db service when /web/database/list is not there', async () => {
    const url = await responder({
      '/jsonrpc': { body: { jsonrpc: '2.0', id: 1, result: ['only'] } },
    });

    expect(await listDatabases(connectionTo(url))).toEqual({ databases: ['only'] });
  });

  it('says the list did not answer when neither route gives one', async () => {
    const url = await responder();

    expect(await listDatabases(connectionTo(url))).toEqual({
      why: 'its list of databases did not answer',
    });
  });
});
