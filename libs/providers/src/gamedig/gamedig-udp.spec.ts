import type { GameDigPacketCallback } from 'gamedig';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { type UdpResponder, startUdpResponder } from '../../../../test/support/udp-responder.js';
import { UdpTransport } from '../transport/udp.js';
import { ReplyBudget } from './gamedig-budget.js';
import { GameDigUdpBridge } from './gamedig-udp.js';

const echo = () => startUdpResponder(({ datagram, reply }) => reply(datagram));

/** The next datagram a callback sees, with the address and port it was handed. */
function nextPacket(bridge: GameDigUdpBridge): Promise<[string, number, string]> {
  return new Promise((resolve) => {
    const callback: GameDigPacketCallback = (address, port, datagram) => {
      bridge.removeCallback(callback);
      resolve([address, port, datagram.toString()]);
    };
    bridge.addCallback(callback);
  });
}

describe('GameDigUdpBridge', () => {
  const udp = new UdpTransport({ receiveBufferBytes: 1024 * 1024 });
  const responders: UdpResponder[] = [];
  afterAll(() => udp.close());
  afterEach(async () => {
    await Promise.all(responders.splice(0).map((r) => r.stop()));
  });

  it('hands replies to the callbacks with the address as GameDig wrote it', async () => {
    const six = await startUdpResponder(({ datagram, reply }) => reply(datagram), { family: 6 });
    responders.push(six);
    const sut = new GameDigUdpBridge(udp, AbortSignal.timeout(2000), new ReplyBudget());
    try {
      const packet = nextPacket(sut);
      // A long spelling of ::1: the transport matches the reply's source in canonical form.
      await sut.send(Buffer.from('hello'), '0:0:0:0:0:0:0:1', six.port);
      expect(await packet).toEqual(['0:0:0:0:0:0:0:1', six.port, 'hello']);
    } finally {
      sut.close();
    }
  });

  it('frees an ip:port still awaited when the query ends, and sends nothing on it', async () => {
    const responder = await echo();
    responders.push(responder);
    const endpoint = { address: '127.0.0.1', port: responder.port };
    const native = await udp.open(endpoint, AbortSignal.timeout(2000));
    const sut = new GameDigUdpBridge(udp, AbortSignal.timeout(2000), new ReplyBudget());
    const sent = sut.send(Buffer.from('waits'), endpoint.address, endpoint.port);
    sut.close();
    native.close();
    await sent; // its turn came after the query ended
    // Nobody holds the endpoint now: it opens at once, without a promise.
    const after = udp.open(endpoint, AbortSignal.timeout(2000));
    expect(after).not.toBeInstanceOf(Promise);
    const probe = after as Awaited<typeof after>;
    try {
      // Same socket, same path: once the probe's echo is back, an earlier datagram would be in.
      probe.send(Buffer.from('probe'));
      expect((await probe.receive()).toString()).toBe('probe');
      expect(responder.received).toBe(1);
    } finally {
      probe.close();
    }
  });

  it('keeps the reason a conversation failed before the query ended', async () => {
    const responder = await echo();
    responders.push(responder);
    const sut = new GameDigUdpBridge(udp, AbortSignal.timeout(2000), new ReplyBudget());
    try {
      // Larger than any UDP datagram (EMSGSIZE): the kernel refuses the send.
      await sut.send(Buffer.alloc(70_000), '127.0.0.1', responder.port);
      await expect.poll(() => sut.failure?.message).toMatch(/EMSGSIZE/u);
    } finally {
      sut.close();
    }
  });

  it('refuses to send once the query has ended', async () => {
    const sut = new GameDigUdpBridge(udp, AbortSignal.timeout(2000), new ReplyBudget());
    sut.close();
    await expect(sut.send(Buffer.from('late'), '127.0.0.1', 9)).rejects.toThrow(/ended/u);
  });
});

describe('GameDigUdpBridge with a reply budget', () => {
  const udp = new UdpTransport({ receiveBufferBytes: 1024 * 1024 });
  afterAll(() => udp.close());

  it('hands GameDig no datagram past the budget and fails the query as a protocol error', async () => {
    const flood = await startUdpResponder(({ reply }) => {
      for (let i = 0; i < 5; i++) reply(Buffer.alloc(600, i));
    });
    const budget = new ReplyBudget(1500);
    const sut = new GameDigUdpBridge(udp, AbortSignal.timeout(2000), budget);
    const seen: number[] = [];
    sut.addCallback((_address, _port, datagram) => seen.push(datagram[0] ?? -1));
    try {
      await sut.send(Buffer.from('status?'), '127.0.0.1', flood.port);
      await expect(budget.exceeded).rejects.toMatchObject({
        code: 'protocol',
        message: 'the server sent more than 1500 bytes without a whole reply',
      });
      expect(seen).toEqual([0, 1]);
    } finally {
      sut.close();
      await flood.stop();
    }
  });
});
