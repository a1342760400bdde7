import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OdooClient } from '#odoo-client';
import { GAME_SERVER_GAME_MODEL, OdooStandIn } from '../../../../test/support/odoo-stand-in.js';
import { ServerRepository } from './server.repository.js';

describe.each([17, 19] as const)('ServerRepository.syncGames on Odoo %i', (serverVersion) => {
  const odoo = new OdooStandIn({ serverVersion });
  let client: OdooClient;
  let sut: ServerRepository;

  beforeAll(async () => {
    const url = await odoo.start();
    client = new OdooClient({
      url,
      db: odoo.db,
      login: odoo.login,
      apiKey: odoo.apiKey,
      protocol: 'auto',
      timeoutMs: 2_000,
    });
    sut = new ServerRepository(client);
  });

  afterAll(async () => {
    client.close();
    await odoo.stop();
  });

  const names = () =>
    odoo
      .records(GAME_SERVER_GAME_MODEL)
      .map((game) => [game['code'], game['name']])
      .sort();

  it('creates the games Odoo lacks, renames the others, and a second sync changes nothing', async () => {
    const first = await sut.syncGames([
      { id: 'counterstrike2', name: 'Counter-Strike 2' },
      { id: 'mbe', name: 'Minecraft: Bedrock Edition' },
    ]);
    expect(first).toEqual({ created: 2, renamed: 0 });

    const second = await sut.syncGames([
      { id: 'counterstrike2', name: 'Counter-Strike 2 (2023)' },
      { id: 'q3a', name: 'Quake 3: Arena' },
    ]);
    expect(second).toEqual({ created: 1, renamed: 1 });
    expect(names()).toEqual([
      ['counterstrike2', 'Counter-Strike 2 (2023)'],
      ['mbe', 'Minecraft: Bedrock Edition'],
      ['q3a', 'Quake 3: Arena'],
    ]);

    expect(await sut.syncGames([{ id: 'q3a', name: 'Quake 3: Arena' }])).toEqual({
      created: 0,
      renamed: 0,
    });
  });
});
