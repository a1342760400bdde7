import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type DnsResponder, startDnsResponder } from '../../../../test/support/dns-responder.js';
import { startUdpResponder } from '../../../../test/support/udp-responder.js';
import { ProviderError } from '../provider.error.js';
import { DnsCache, type SrvTarget, orderSrv } from './dns.js';

const ZONE = {
  'game.test': { a: ['127.0.0.5'], aaaa: ['::1'], ttl: 300 },
  'v6only.test': { aaaa: ['::1'] },
  'short.test': { a: ['127.0.0.6'], ttl: 1 },
  '_minecraft._tcp.mc.test': {
    srv: [
      { priority: 20, weight: 0, port: 25570, target: 'backup.mc.test' },
      { priority: 10, weight: 5, port: 25566, target: 'main.mc.test' },
    ],
  },
};

const signal = () => AbortSignal.timeout(3000);

describe('DnsCache against a loopback DNS server', () => {
  let dns: DnsResponder;
  let sut: DnsCache;

  beforeAll(async () => {
    dns = await startDnsResponder(ZONE);
  });
  afterAll(() => dns.stop());
  beforeEach(() => {
    dns.setZone(ZONE);
    dns.questions.length = 0;
    sut = new DnsCache({ servers: [dns.server], negativeTtlS: 30 });
  });

  it('returns IP literals and localhost without asking anyone', async () => {
    expect(await sut.lookup('10.1.2.3', signal())).toEqual({ address: '10.1.2.3', family: 4 });
    expect(await sut.lookup('2001:db8::1', signal())).toEqual({
      address: '2001:db8::1',
      family: 6,
    });
    expect(await sut.lookup('localhost', signal())).toEqual({ address: '127.0.0.1', family: 4 });
    expect(await sut.lookup('box.localhost.', signal())).toMatchObject({ address: '127.0.0.1' });
    expect(dns.questions).toEqual([]);
  });

  it('prefers IPv4 and answers from the cache for the TTL', async () => {
    expect(await sut.lookup('game.test', signal())).toEqual({ address: '127.0.0.5', family: 4 });
    expect(await sut.lookup('GAME.test', signal())).toEqual({ address: '127.0.0.5', family: 4 });
    expect(dns.questions.sort()).toEqual(['A game.test', 'AAAA game.test']);
    expect(sut.queries).toBe(1);
  });

  it('resolves an AAAA-only name to IPv6', async () => {
    expect(await sut.lookup('v6only.test', signal())).toEqual({ address: '::1', family: 6 });
  });

  it('shares one resolver round trip between concurrent lookups of a name', async () => {
    const all = await Promise.all(
      Array.from({ length: 50 }, () => sut.lookup('game.test', signal())),
    );
    expect(new Set(all.map((r) => r.address))).toEqual(new Set(['127.0.0.5']));
    expect(sut.queries).toBe(1);
  });

  it('asks again once the TTL has passed', async () => {
    await sut.lookup('short.test', signal());
    dns.setZone({ ...ZONE, 'short.test': { a: ['127.0.0.7'], ttl: 1 } });
    await expect
      .poll(async () => (await sut.lookup('short.test', signal())).address, { timeout: 4000 })
      .toBe('127.0.0.7');
  });

  it('remembers that a name does not exist, as a dns failure', async () => {
    const first = await sut.lookup('nope.test', signal()).catch((e: unknown) => e);
    expect(first).toBeInstanceOf(ProviderError);
    expect(first).toMatchObject({ code: 'dns', message: 'cannot resolve nope.test: no such name' });
    const asked = dns.questions.length;
    await expect(sut.lookup('nope.test', signal())).rejects.toMatchObject({ code: 'dns' });
    expect(dns.questions.length).toBe(asked);
  });

  it('serves an expired answer when the resolver stops answering', async () => {
    await sut.lookup('short.test', signal());
    await dns.stop();
    try {
      await new Promise((resolve) => setTimeout(resolve, 1100));
      expect(await sut.lookup('short.test', signal())).toMatchObject({ address: '127.0.0.6' });
    } finally {
      dns = await startDnsResponder(ZONE);
    }
  });

  it('gives up waiting when the signal aborts', async () => {
    const silent = await startUdpResponder(() => undefined);
    try {
      const mute = new DnsCache({ servers: [`127.0.0.1:${silent.port}`] });
      const err = await mute.lookup('slow.test', AbortSignal.timeout(50)).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'timeout', message: 'aborted during name resolution' });
    } finally {
      await silent.stop();
    }
  });

  it('reads SRV records in priority order, and an empty list when there are none', async () => {
    const records = await sut.srv('_minecraft._tcp.mc.test', signal());
    expect(records.map((r) => `${r.name}:${r.port}`)).toEqual([
      'main.mc.test:25566',
      'backup.mc.test:25570',
    ]);
    expect(await sut.srv('_minecraft._tcp.game.test', signal())).toEqual([]);
    expect(await sut.srv('_minecraft._tcp.unknown.test', signal())).toEqual([]);
    const asked = dns.questions.length;
    await sut.srv('_minecraft._tcp.mc.test', signal());
    await sut.srv('_minecraft._tcp.unknown.test', signal());
    expect(dns.questions.length).toBe(asked);
  });
});

describe('orderSrv', () => {
  const record = (name: string, priority: number, weight: number): SrvTarget => ({
    name,
    port: 1,
    priority,
    weight,
  });

  it('orders by priority first', () => {
    const sut = orderSrv([record('c', 30, 1), record('a', 10, 1), record('b', 20, 1)], () => 0.5);
    expect(sut.map((r) => r.name)).toEqual(['a', 'b', 'c']);
  });

  it('picks by weight within a priority', () => {
    const records = [record('light', 10, 1), record('heavy', 10, 9)];
    expect(orderSrv(records, () => 0.05)[0]?.name).toBe('light');
    expect(orderSrv(records, () => 0.5)[0]?.name).toBe('heavy');
  });

  it('keeps zero-weight records and drops the "no service" target', () => {
    const sut = orderSrv([record('.', 1, 0), record('x', 2, 0), record('y', 2, 0)], () => 0.3);
    expect(sut.map((r) => r.name)).toEqual(['x', 'y']);
  });
});
