import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type BedrockServer,
  startBedrockServer,
  startPongResponder,
} from '../../../../test/support/bedrock-responder.js';
import { startUdpResponder } from '../../../../test/support/udp-responder.js';
import { ProviderServices } from '../provider-services.js';
import { ProviderError } from '../provider.error.js';
import { MinecraftBedrockProvider } from './minecraft-bedrock.provider.js';

const services = new ProviderServices();
const sut = new MinecraftBedrockProvider(services);
afterAll(() => services.close());

describe('MinecraftBedrockProvider against a real bedrock-protocol server', () => {
  let server: BedrockServer;

  beforeAll(async () => {
    server = await startBedrockServer({
      motd: 'Loopback Bedrock',
      levelName: 'Test World',
      players: 4,
      maxPlayers: 30,
      gameMode: 'Creative',
    });
  });
  afterAll(() => server.stop());

  it('reads the MOTD fields from the unconnected pong', async () => {
    const status = await sut.query({ host: '127.0.0.1', port: server.port }, { timeoutMs: 3000 });
    expect(status).toMatchObject({
      playersOnline: 4,
      playersMax: 30,
      bots: 0,
      playerNames: [],
      name: 'Loopback Bedrock',
      map: 'Test World',
      gameMode: 'Creative',
      passwordProtected: null,
    });
    expect(status.version).toMatch(/^\d+\.\d+/);
  });

  it('declares mbe with its default port', () => {
    expect(sut.games).toEqual([
      {
        id: 'mbe',
        name: 'Minecraft: Bedrock Edition',
        defaultPort: 19132,
        gamePort: null,
        queryPortOffset: null,
      },
    ]);
  });
});

describe('MinecraftBedrockProvider against odd servers', () => {
  it('waits past a pong for another ping', async () => {
    const responder = await startPongResponder('MCPE;Stale;1;1.0;1;2;', { staleFirst: true });
    try {
      const status = await sut.query(
        { host: '127.0.0.1', port: responder.port },
        { timeoutMs: 3000 },
      );
      expect(status).toMatchObject({ name: 'Stale', playersOnline: 1, playersMax: 2 });
    } finally {
      await responder.stop();
    }
  });

  it('reports garbage as protocol', async () => {
    const responder = await startUdpResponder(({ reply }) => reply(Buffer.from('hello')));
    try {
      const err = await sut
        .query({ host: '127.0.0.1', port: responder.port }, { timeoutMs: 3000 })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ProviderError);
      expect((err as ProviderError).code).toBe('protocol');
    } finally {
      await responder.stop();
    }
  });
});
