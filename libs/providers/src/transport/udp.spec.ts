import dgram from 'node:dgram';
import { once } from 'node:events';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { type UdpResponder, startUdpResponder } from '../../../../test/support/udp-responder.js';
import { ProviderError } from '../provider.error.js';
import { type UdpConversation, type UdpEndpoint, UdpTransport, canonicalAddress } from './udp.js';

const echo = () => startUdpResponder(({ datagram, reply }) => reply(datagram));

/** One conversation as the providers hold one: opened, used, closed in a finally. */
async function converse<T>(
  transport: UdpTransport,
  endpoint: UdpEndpoint,
  signal: AbortSignal,
  exchange: (conversation: UdpConversation) => Promise<T>,
): Promise<T> {
  const conversation = await transport.open(endpoint, signal);
  try {
    return await exchange(conversation);
  } finally {
    conversation.close();
  }
}

describe('UdpTransport', () => {
  const sut = new UdpTransport({ receiveBufferBytes: 8 * 1024 * 1024 });
  const responders: UdpResponder[] = [];
  afterAll(() => sut.close());
  afterEach(async () => {
    await Promise.all(responders.splice(0).map((r) => r.stop()));
  });

  it('exchanges datagrams with one endpoint over the shared socket', async () => {
    const responder = await echo();
    responders.push(responder);
    const reply = await converse(
      sut,
      { address: '127.0.0.1', port: responder.port },
      AbortSignal.timeout(2000),
      async (conversation) => {
        conversation.send(Buffer.from('ping'));
        return conversation.receive(2000);
      },
    );
    expect(reply.toString()).toBe('ping');
  });

  it('gets a receive buffer of several MB where the kernel allows it', async () => {
    const sizes = await sut.receiveBufferSizes();
    // Linux reports twice what it grants; net.core.rmem_max caps the grant.
    expect(sizes.udp4).toBeGreaterThanOrEqual(2 * 1024 * 1024);
  });

  it('talks to IPv6 targets on its own udp6 socket', async () => {
    const responder = await startUdpResponder(({ datagram, reply }) => reply(datagram), {
      family: 6,
    });
    responders.push(responder);
    const reply = await converse(
      sut,
      { address: '0:0:0:0:0:0:0:1', port: responder.port },
      AbortSignal.timeout(2000),
      async (conversation) => {
        conversation.send(Buffer.from('six'));
        return conversation.receive(2000);
      },
    );
    expect(reply.toString()).toBe('six');
  });

  it('keeps replies of many endpoints apart', async () => {
    const many = await Promise.all(Array.from({ length: 20 }, () => echo()));
    responders.push(...many);
    const replies = await Promise.all(
      many.map((responder, i) =>
        converse(
          sut,
          { address: '127.0.0.1', port: responder.port },
          AbortSignal.timeout(2000),
          async (conversation) => {
            conversation.send(Buffer.from(`n${i}`));
            return (await conversation.receive(2000)).toString();
          },
        ),
      ),
    );
    expect(replies).toEqual(many.map((_r, i) => `n${i}`));
  });

  it('keeps apart two hosts answering from the same port', async () => {
    const first = await startUdpResponder(({ reply }) => reply(Buffer.from('from .2')), {
      host: '127.0.0.2',
    });
    responders.push(first);
    const second = await startUdpResponder(({ reply }) => reply(Buffer.from('from .3')), {
      host: '127.0.0.3',
      port: first.port,
    });
    responders.push(second);
    const ask = (address: string) =>
      converse(sut, { address, port: first.port }, AbortSignal.timeout(2000), async (c) => {
        c.send(Buffer.from('?'));
        return (await c.receive(2000)).toString();
      });
    expect(await Promise.all([ask('127.0.0.2'), ask('127.0.0.3')])).toEqual(['from .2', 'from .3']);
  });

  it('never runs two conversations with one ip:port at once', async () => {
    const responder = await echo();
    responders.push(responder);
    const log: string[] = [];
    const talk = (name: string) =>
      converse(
        sut,
        { address: '127.0.0.1', port: responder.port },
        AbortSignal.timeout(2000),
        async (conversation) => {
          log.push(`${name} start`);
          conversation.send(Buffer.from(name));
          const reply = (await conversation.receive(2000)).toString();
          log.push(`${name} end`);
          return reply;
        },
      );
    expect(await Promise.all([talk('a'), talk('b'), talk('c')])).toEqual(['a', 'b', 'c']);
    expect(log).toEqual(['a start', 'a end', 'b start', 'b end', 'c start', 'c end']);
  });

  it('lets a waiting conversation give up without blocking the next one', async () => {
    const responder = await echo();
    responders.push(responder);
    const endpoint = { address: '127.0.0.1', port: responder.port };
    let releaseFirst!: () => void;
    const first = converse(sut, endpoint, AbortSignal.timeout(5000), async () => {
      await new Promise<void>((resolve) => (releaseFirst = resolve));
    });
    const waiting = converse(sut, endpoint, AbortSignal.timeout(30), () => Promise.resolve('late'));
    await expect(waiting).rejects.toMatchObject({ code: 'timeout' });
    const third = converse(sut, endpoint, AbortSignal.timeout(5000), () =>
      Promise.resolve('third'),
    );
    releaseFirst();
    await first;
    await expect(third).resolves.toBe('third');
  });

  it('opens at once, without a promise, an endpoint nobody talks to once bound', async () => {
    const responder = await echo();
    responders.push(responder);
    const endpoint = { address: '127.0.0.1', port: responder.port };
    (await sut.open(endpoint, AbortSignal.timeout(2000))).close();
    const conversation = sut.open(endpoint, AbortSignal.timeout(2000));
    expect(conversation).not.toBeInstanceOf(Promise);
    (conversation as UdpConversation).close();
  });

  it('hands the endpoint to the next query only once the conversation closes', async () => {
    const responder = await echo();
    responders.push(responder);
    const endpoint = { address: '127.0.0.1', port: responder.port };
    const first = await sut.open(endpoint, AbortSignal.timeout(2000));
    let secondOpened = false;
    const second = Promise.resolve(sut.open(endpoint, AbortSignal.timeout(2000))).then((c) => {
      secondOpened = true;
      return c;
    });
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(secondOpened).toBe(false);
    first.close();
    first.close(); // a second close changes nothing
    const next = await second;
    next.send(Buffer.from('after'));
    expect((await next.receive(2000)).toString()).toBe('after');
    next.close();
    await expect(first.receive()).rejects.toMatchObject({ message: 'conversation ended' });
  });

  it('fails the receive of an open conversation when its signal aborts', async () => {
    const responder = await startUdpResponder(() => undefined);
    responders.push(responder);
    const caller = new AbortController();
    const conversation = await sut.open(
      { address: '127.0.0.1', port: responder.port },
      caller.signal,
    );
    const pending = conversation.receive();
    caller.abort();
    await expect(pending).rejects.toMatchObject({ code: 'timeout' });
    conversation.close();
  });

  it('ignores datagrams from the right host but the wrong port', async () => {
    const responder = await startUdpResponder(({ from }) => {
      const stray = dgram.createSocket('udp4');
      stray.bind(0, '127.0.0.1', () =>
        stray.send('from elsewhere', from.port, from.address, () => stray.close()),
      );
    });
    responders.push(responder);
    const before = sut.stats.unmatched;
    const err = await converse(
      sut,
      { address: '127.0.0.1', port: responder.port },
      AbortSignal.timeout(2000),
      async (conversation) => {
        conversation.send(Buffer.from('hello'));
        return conversation.receive(300);
      },
    ).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'timeout' });
    expect(sut.stats.unmatched).toBeGreaterThan(before);
  });

  it('fails the conversation at once when the kernel refuses a send', async () => {
    const responder = await echo();
    responders.push(responder);
    const startedAt = performance.now();
    // Larger than any UDP datagram can be (EMSGSIZE): refused locally, nothing is sent.
    const err = await converse(
      sut,
      { address: '127.0.0.1', port: responder.port },
      AbortSignal.timeout(5000),
      async (conversation) => {
        conversation.send(Buffer.alloc(70_000));
        return conversation.receive();
      },
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect((err as ProviderError).message).toMatch(/EMSGSIZE/u);
    expect(performance.now() - startedAt).toBeLessThan(1000);
  });

  it('holds at most a bounded amount of unread datagrams per conversation', async () => {
    const responder = await startUdpResponder(({ reply }) => {
      for (let i = 0; i < 40; i++) reply(Buffer.alloc(60_000, i));
    });
    responders.push(responder);
    const small = new UdpTransport({
      receiveBufferBytes: 8 * 1024 * 1024,
      maxQueuedBytes: 130_000,
    });
    try {
      const before = small.stats.overflowed;
      const kept = await converse(
        small,
        { address: '127.0.0.1', port: responder.port },
        AbortSignal.timeout(2000),
        async (conversation) => {
          conversation.send(Buffer.from('flood me'));
          await new Promise((resolve) => setTimeout(resolve, 200));
          let count = 0;
          while (
            await conversation.receive(20).then(
              () => true,
              () => false,
            )
          ) {
            count++;
          }
          return count;
        },
      );
      expect(kept).toBeLessThanOrEqual(3);
      expect(small.stats.overflowed).toBeGreaterThan(before);
    } finally {
      await small.close();
    }
  });
});

describe('canonicalAddress', () => {
  it('writes one address one way', () => {
    expect(canonicalAddress('0:0:0:0:0:0:0:1')).toBe('::1');
    expect(canonicalAddress('2001:DB8::0:1')).toBe('2001:db8::1');
    expect(canonicalAddress('::ffff:127.0.0.1')).toBe('127.0.0.1');
    expect(canonicalAddress('10.0.0.1')).toBe('10.0.0.1');
  });

  it('refuses what is not an IP address', () => {
    expect(() => canonicalAddress('example.org')).toThrow(ProviderError);
  });
});

describe('UdpTransport sockets', () => {
  it('binds lazily and frees its sockets on close', async () => {
    const sut = new UdpTransport({ receiveBufferBytes: 1024 * 1024 });
    expect(await sut.receiveBufferSizes()).toEqual({});
    const probe = dgram.createSocket('udp4');
    probe.bind(0, '127.0.0.1');
    await once(probe, 'listening');
    const port = probe.address().port;
    await converse(sut, { address: '127.0.0.1', port }, AbortSignal.timeout(100), async (c) => {
      c.send(Buffer.from('x'));
      return c.receive(50);
    }).catch(() => undefined);
    expect((await sut.receiveBufferSizes()).udp4).toBeGreaterThan(0);
    await sut.close();
    probe.close();
    expect(() => sut.open({ address: '127.0.0.1', port }, AbortSignal.timeout(100))).toThrow(
      expect.objectContaining({ code: 'unreachable' }),
    );
  });
});
