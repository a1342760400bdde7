import net from 'node:net';
import { once } from 'node:events';
import { afterAll, describe, expect, it } from 'vitest';
import { findGame } from '../games.js';
import { ProviderServices } from '../provider-services.js';
import { MAX_GAMEDIG_REPLY_BYTES, ReplyBudget } from './gamedig-budget.js';
import { GameDigProvider } from './gamedig.provider.js';

describe('ReplyBudget', () => {
  it('takes bytes up to its cap, then fails once with a protocol error', async () => {
    const sut = new ReplyBudget(10);
    expect(sut.take(6)).toBe(true);
    expect(sut.take(4)).toBe(true);
    expect(sut.error).toBeUndefined();
    expect(sut.take(1)).toBe(false);
    expect(sut.take(100)).toBe(false);
    await expect(sut.exceeded).rejects.toBe(sut.error);
    expect(sut.error).toMatchObject({ code: 'protocol' });
  });
});

describe('the GameDig adapter against a TCP server streaming garbage', () => {
  const services = new ProviderServices();
  afterAll(() => services.close());

  it('stops reading at the cap and reports a protocol error, not a timeout', async () => {
    let sent = 0;
    const garbage = Buffer.alloc(64 * 1024, 0x41);
    const server = net.createServer((socket) => {
      socket.on('error', () => undefined);
      const pump = () => {
        while (!socket.destroyed && socket.write(garbage)) sent += garbage.length;
      };
      socket.on('drain', pump);
      pump();
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as net.AddressInfo;
    try {
      const query = new GameDigProvider(services).query(
        { host: '127.0.0.1', port },
        { timeoutMs: 20_000 },
        findGame('openttd'),
      );
      await expect(query).rejects.toMatchObject({
        code: 'protocol',
        message: `the server sent more than ${MAX_GAMEDIG_REPLY_BYTES} bytes without a whole reply`,
      });
      // The connection is closed: the server stops well short of what 20 s would stream.
      expect(sent).toBeLessThan(16 * MAX_GAMEDIG_REPLY_BYTES);
    } finally {
      server.close();
    }
  });
});
