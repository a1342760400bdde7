import dgram from 'node:dgram';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  decodeExtinfoReply,
  encodePlayerStatsRequest,
} from '../libs/providers/src/cube2/cube2.parser.js';
import { Cube2Provider, ProviderServices } from '#providers';
import { type Cube2Server, startCube2Server } from './support/cube2-server.js';

/** One raw datagram exchange with the server's info port (not through the provider). */
async function rawExchange(port: number, request: Buffer): Promise<Buffer> {
  const socket = dgram.createSocket('udp4');
  try {
    const reply = once(socket, 'message') as Promise<[Buffer]>;
    socket.send(request, port, '127.0.0.1');
    return (await reply)[0];
  } finally {
    socket.close();
  }
}

/**
 * The cube2 provider against Debian's cube2-server (Sauerbraten 2020 edition) on loopback.
 * An empty dedicated server loads no map (the first client picks one) and runs no bots
 * (a bot needs a connected client to run it), so the player list is checked here only as
 * the server's empty answer; the byte-level specs read full lists.
 */
describe('Cube 2: Sauerbraten (Debian cube2-server)', () => {
  const services = new ProviderServices();
  const sut = new Cube2Provider(services);
  const opts = { timeoutMs: 5000 };
  let open: Cube2Server;
  let locked: Cube2Server;

  beforeAll(async () => {
    [open, locked] = await Promise.all([
      startCube2Server({ description: '\f3Loop\f7back Café Ж', maxClients: 7 }),
      startCube2Server({ description: 'Members only', maxClients: 3, password: 'hunter2' }),
    ]);
  });

  afterAll(async () => {
    await services.close();
    await Promise.all([open, locked].map((server) => server?.stop()));
  });

  it('reads name, mode, max, version and the empty player list', async () => {
    const status = await sut.query({ host: '127.0.0.1', port: open.infoPort }, opts);
    expect(status).toEqual({
      latencyMs: expect.any(Number) as number,
      playersOnline: 0,
      playersMax: 7,
      bots: 0,
      playerNames: [],
      // Colour codes gone, Cube's charset decoded.
      name: 'Loopback Café Ж',
      map: null,
      version: 'protocol 260',
      gameMode: 'ffa',
      passwordProtected: false,
    });
    expect(status.latencyMs).toBeLessThan(1000);
  });

  it('tells a server with a password', async () => {
    const status = await sut.query({ host: '127.0.0.1', port: locked.infoPort }, opts);
    expect(status).toMatchObject({
      playersOnline: 0,
      playersMax: 3,
      name: 'Members only',
      version: 'protocol 260',
      gameMode: 'ffa',
      passwordProtected: true,
    });
  });

  it('answers the tagged extinfo request with its (empty) client list', async () => {
    const request = encodePlayerStatsRequest(0x5a5a5a5a);
    const reply = await rawExchange(open.infoPort, request);
    expect(reply.subarray(0, request.length)).toEqual(request);
    expect(decodeExtinfoReply(reply, request.length)).toEqual({
      kind: 'clients',
      clientNumbers: [],
    });
  });

  it('times out on the game port, naming the info port', async () => {
    await expect(
      sut.query({ host: '127.0.0.1', port: open.port }, { timeoutMs: 500 }),
    ).rejects.toMatchObject({ code: 'timeout', message: expect.stringMatching(/28786/) as string });
  });
});
