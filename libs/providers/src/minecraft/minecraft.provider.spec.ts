import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import net, { type AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type DnsResponder, startDnsResponder } from '../../../../test/support/dns-responder.js';
import {
  type LegacyMinecraftResponder,
  type MinecraftResponder,
  startLegacyMinecraftResponder,
  startMinecraftResponder,
} from '../../../../test/support/minecraft-responder.js';
import { freePort } from '../../../../test/support/ports.js';
import { findGame } from '../games.js';
import { ProviderServices } from '../provider-services.js';
import { ProviderError } from '../provider.error.js';
import { withTcpConnection } from '../transport/tcp.js';
import { decodeLegacyReply, encodeLegacyPing } from './minecraft-legacy.parser.js';
import { MinecraftProvider } from './minecraft.provider.js';
import { encodeVarInt } from './minecraft.parser.js';

const services = new ProviderServices();
afterAll(() => services.close());

interface RawServer {
  port: number;
  close(): Promise<void>;
}

/** A bare TCP server on 127.0.0.1 that does whatever `onSocket` says. */
async function startRawServer(onSocket: (socket: net.Socket) => void): Promise<RawServer> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    onSocket(socket);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as AddressInfo).port,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      server.close();
      await once(server, 'close');
    },
  };
}

function statusFrame(doc: unknown): Buffer {
  const text = Buffer.from(JSON.stringify(doc), 'utf8');
  const body = Buffer.concat([encodeVarInt(0), encodeVarInt(text.length), text]);
  return Buffer.concat([encodeVarInt(body.length), body]);
}

/** Writes `next()` for as long as the peer reads, and counts what it wrote. */
function streamForever(socket: net.Socket, next: () => Buffer, stats: { written: number }): void {
  const pump = () => {
    while (!socket.destroyed) {
      const chunk = next();
      stats.written += chunk.length;
      if (!socket.write(chunk)) return void socket.once('drain', pump);
    }
  };
  pump();
}

async function failure(promise: Promise<unknown>): Promise<ProviderError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ProviderError);
  return err as ProviderError;
}

describe('MinecraftProvider against a real minecraft-protocol server', () => {
  const sut = new MinecraftProvider(services);
  let responder: MinecraftResponder;

  beforeAll(async () => {
    responder = await startMinecraftResponder({
      motd: '§aTest §lServer',
      maxPlayers: 42,
      version: '1.21.4',
      players: 7,
      sample: ['Alice', 'Bob'],
    });
  });
  afterAll(() => responder.stop());

  it('reads players, max, MOTD and version', async () => {
    const status = await sut.query(
      { host: '127.0.0.1', port: responder.port },
      { timeoutMs: 3000 },
    );
    expect(status).toMatchObject({
      playersOnline: 7,
      playersMax: 42,
      playerNames: ['Alice', 'Bob'],
      name: 'Test Server',
      version: '1.21.4',
    });
    expect(status.latencyMs).toBeGreaterThanOrEqual(0);
    expect(status.latencyMs).toBeLessThan(3000);
  });

  it('reports the count the server advertises, not the sample length', async () => {
    responder.setPlayers(250);
    const status = await sut.query(
      { host: '127.0.0.1', port: responder.port },
      { timeoutMs: 3000 },
    );
    expect(status.playersOnline).toBe(250);
    expect(status.playerNames).toHaveLength(2);
  });

  it('declares the game it covers and its default port', () => {
    expect(sut.games).toEqual([
      {
        id: 'minecraft',
        name: 'Minecraft',
        defaultPort: 25565,
        gamePort: null,
        queryPortOffset: null,
      },
    ]);
    expect(sut.transport).toBe('tcp');
  });
});

describe('MinecraftProvider against broken servers', () => {
  const sut = new MinecraftProvider(services);
  let server: RawServer | undefined;

  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('reports a closed port as refused', async () => {
    const probe = await startRawServer(() => undefined);
    await probe.close();
    const err = await failure(
      sut.query({ host: '127.0.0.1', port: probe.port }, { timeoutMs: 2000 }),
    );
    expect(err.code).toBe('refused');
  });

  it('reports a server that accepts and never answers as a timeout, on time', async () => {
    server = await startRawServer(() => undefined);
    const startedAt = performance.now();
    const err = await failure(
      sut.query({ host: '127.0.0.1', port: server.port }, { timeoutMs: 300 }),
    );
    const elapsed = performance.now() - startedAt;
    expect(err.code).toBe('timeout');
    expect(elapsed).toBeGreaterThanOrEqual(290);
    expect(elapsed).toBeLessThan(1500);
  });

  it('rejects an endless stream of garbage as protocol and hangs up', async () => {
    const stats = { written: 0 };
    const closed = { value: false };
    server = await startRawServer((socket) => {
      socket.on('close', () => (closed.value = true));
      streamForever(socket, () => randomBytes(64 * 1024), stats);
    });
    const err = await failure(
      sut.query({ host: '127.0.0.1', port: server.port }, { timeoutMs: 5000 }),
    );
    expect(err.code).toBe('protocol');
    await expect.poll(() => closed.value).toBe(true);
  });

  it('stops reading a frame that never ends within its size cap', async () => {
    const stats = { written: 0 };
    const closed = { value: false };
    server = await startRawServer((socket) => {
      socket.on('close', () => (closed.value = true));
      // A plausible header (length just under the cap, packet 0x00), then filler forever.
      socket.write(Buffer.concat([encodeVarInt(256 * 1024 - 1), Buffer.from([0x00])]));
      streamForever(socket, () => Buffer.alloc(64 * 1024, 0x61), stats);
    });
    const err = await failure(
      sut.query({ host: '127.0.0.1', port: server.port }, { timeoutMs: 5000 }),
    );
    expect(err.code).toBe('protocol');
    await expect.poll(() => closed.value).toBe(true);
    // The client read about 256 KiB and hung up; the rest is what the kernel buffers held.
    expect(stats.written).toBeLessThan(32 * 1024 * 1024);
  });

  it('reports a connection closed mid-reply as protocol', async () => {
    server = await startRawServer((socket) => {
      socket.end(statusFrame({ players: { online: 1, max: 2 } }).subarray(0, 10));
    });
    const err = await failure(
      sut.query({ host: '127.0.0.1', port: server.port }, { timeoutMs: 2000 }),
    );
    expect(err.code).toBe('protocol');
  });

  it('keeps the status when the pong never comes, using the status time as latency', async () => {
    server = await startRawServer((socket) => {
      socket.once('data', () =>
        socket.write(statusFrame({ players: { online: 3, max: 9 }, description: 'x' })),
      );
    });
    const startedAt = performance.now();
    const status = await sut.query({ host: '127.0.0.1', port: server.port }, { timeoutMs: 5000 });
    expect(status).toMatchObject({ playersOnline: 3, playersMax: 9, name: 'x' });
    // The pong wait is bounded by the status round trip, not by the whole timeout.
    expect(performance.now() - startedAt).toBeLessThan(2000);
  });

  it('keeps the status when the server closes right after it', async () => {
    server = await startRawServer((socket) => {
      socket.once('data', () => socket.end(statusFrame({ players: { online: 0, max: 5 } })));
    });
    const status = await sut.query({ host: '127.0.0.1', port: server.port }, { timeoutMs: 2000 });
    expect(status.playersMax).toBe(5);
  });
});

describe('MinecraftProvider legacy ping fallback', () => {
  const sut = new MinecraftProvider(services);
  let legacy: LegacyMinecraftResponder | undefined;

  afterEach(async () => {
    await legacy?.stop();
    legacy = undefined;
  });

  it('falls back to the legacy ping when a 1.6 server kicks the modern handshake', async () => {
    legacy = await startLegacyMinecraftResponder({
      motd: '§eOld times',
      players: 3,
      maxPlayers: 8,
    });
    const status = await sut.query({ host: '127.0.0.1', port: legacy.port }, { timeoutMs: 3000 });
    expect(status).toMatchObject({
      playersOnline: 3,
      playersMax: 8,
      name: 'Old times',
      version: '1.6.4',
    });
    // The second connection carried the 1.6 ping with its MC|PingHost message.
    expect(legacy.firstBytes[1]?.subarray(0, 3)).toEqual(Buffer.from([0xfe, 0x01, 0xfa]));
  });

  it('reads the beta-era reply, which has no version', async () => {
    legacy = await startLegacyMinecraftResponder({
      format: 'beta',
      motd: 'Beta',
      players: 1,
      maxPlayers: 4,
    });
    const status = await sut.query({ host: '127.0.0.1', port: legacy.port }, { timeoutMs: 3000 });
    expect(status).toMatchObject({ playersOnline: 1, playersMax: 4, name: 'Beta', version: null });
  });

  it('reads the legacy reply of a real minecraft-protocol server the same way', async () => {
    const modern = await startMinecraftResponder({ motd: 'Both ways', players: 5, maxPlayers: 9 });
    try {
      const status = await withTcpConnection(
        { address: '127.0.0.1', port: modern.port },
        { signal: AbortSignal.timeout(3000), maxBufferedBytes: 10_000 },
        (conn) => {
          conn.write(encodeLegacyPing('127.0.0.1', modern.port));
          return conn.read(decodeLegacyReply);
        },
      );
      expect(status).toMatchObject({ playersOnline: 5, playersMax: 9, name: 'Both ways' });
    } finally {
      await modern.stop();
    }
  });
});

describe('MinecraftProvider SRV records', () => {
  let dns: DnsResponder;
  let responder: MinecraftResponder;
  let viaDns: ProviderServices;
  let sut: MinecraftProvider;
  const minecraft = findGame('minecraft');

  beforeAll(async () => {
    responder = await startMinecraftResponder({ motd: 'Behind SRV', players: 2, maxPlayers: 10 });
    // Nothing listens there: it refuses at once.
    const closed = await freePort();
    dns = await startDnsResponder({
      'play.test': { a: ['127.0.0.2'] },
      '_minecraft._tcp.play.test': {
        srv: [
          { priority: 5, weight: 1, port: closed, target: 'dead.test' },
          { priority: 10, weight: 1, port: responder.port, target: 'mc-host.test' },
        ],
      },
      'dead.test': { a: ['127.0.0.1'] },
      'mc-host.test': { a: ['127.0.0.1'] },
      // Loopback's broadcast address: the kernel refuses a TCP connection to it, so the query
      // (to the default port, 25565) reaches no process of the machine.
      'nosrv.test': { a: ['127.255.255.255'] },
    });
    viaDns = new ProviderServices({ dnsServers: [dns.server] });
    sut = new MinecraftProvider(viaDns);
  });
  afterAll(async () => {
    await viaDns.close();
    await dns.stop();
    await responder.stop();
  });

  it('follows the SRV target and port when no port is given, skipping one that refuses', async () => {
    const status = await sut.query({ host: 'play.test' }, { timeoutMs: 3000 }, minecraft);
    expect(status).toMatchObject({ name: 'Behind SRV', playersOnline: 2 });
    expect(dns.questions).toContain('SRV _minecraft._tcp.play.test');
  });

  it('treats the default port like no port', async () => {
    const status = await sut.query({ host: 'play.test', port: 25565 }, { timeoutMs: 3000 });
    expect(status.name).toBe('Behind SRV');
  });

  it('takes another port as meant, without asking for SRV', async () => {
    dns.questions.length = 0;
    const status = await sut.query(
      { host: 'mc-host.test', port: responder.port },
      { timeoutMs: 3000 },
    );
    expect(status.name).toBe('Behind SRV');
    expect(dns.questions.filter((q) => q.startsWith('SRV'))).toEqual([]);
  });

  it('uses the name itself when it has no SRV record', async () => {
    await sut.query({ host: 'nosrv.test' }, { timeoutMs: 1000 }).catch(() => undefined);
    expect(dns.questions).toContain('SRV _minecraft._tcp.nosrv.test');
    expect(dns.questions).toContain('A nosrv.test');
  });
});
