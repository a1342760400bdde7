import { describe, expect, it } from 'vitest';
import { protocolError } from '../../../../test/support/provider-errors.js';
import * as sut from './luanti.parser.js';

const hex = (text: string) => Buffer.from(text.replace(/\s+/gu, ''), 'hex');
/** A string field: u16 byte count, then the UTF-8 bytes. */
const str = (text: string) => {
  const bytes = Buffer.from(text, 'utf8');
  return Buffer.concat([hex(bytes.length.toString(16).padStart(4, '0')), bytes]);
};
/** Protocol id, sender peer id 1 (the server), channel 0. */
const FROM_SERVER = '4f457403 0001 00';

/** As Debian's minetest-server 5.6.1 sent them to `encodeInit(0, 'probe_abc')` (captured). */
const SET_PEER_ID_5_6 = hex('4f457403 0001 00 03 ffdc 00 01 0002');
const HELLO_5_6 = hex(
  '4f457403 0001 00 03 ffdd 01 0002 1d 0000 0029 00000004 0009 70726f62655f616263',
);

describe('encodeInit and encodeDisconnect', () => {
  it('writes TOSERVER_INIT as an unreliable message on channel 1', () => {
    expect(sut.encodeInit(0, 'probe_abc').toString('hex')).toBe(
      '4f457403' + // protocol id
        '0000' + // no peer id yet
        '01' + // channel 1
        '01' + // ORIGINAL
        '0002' + // TOSERVER_INIT
        '1d' + // serialization version 29
        '0000' + // compression modes (unused)
        '0025' + // lowest protocol: 37
        'ffff' + // highest protocol: any
        '0009' +
        Buffer.from('probe_abc').toString('hex'),
    );
    expect(sut.encodeInit(0x1234, 'a').subarray(4, 6).toString('hex')).toBe('1234');
  });

  it('refuses a name the server would refuse, and a peer id out of range', () => {
    expect(() => sut.encodeInit(0, '')).toThrow(RangeError);
    expect(() => sut.encodeInit(0, 'a'.repeat(21))).toThrow(RangeError);
    expect(() => sut.encodeInit(0, 'no spaces')).toThrow(RangeError);
    expect(() => sut.encodeInit(0, 'é')).toThrow(RangeError);
    expect(() => sut.encodeInit(65_536, 'a')).toThrow(RangeError);
    expect(() => sut.encodeDisconnect(-1)).toThrow(RangeError);
  });

  it('writes CONTROL DISCO from our peer id on channel 0', () => {
    expect(sut.encodeDisconnect(7).toString('hex')).toBe('4f457403' + '0007' + '00' + '00' + '03');
  });
});

describe('decodeDatagram', () => {
  it('reads the peer id and the HELLO of a real 5.6 server', () => {
    expect(sut.decodeDatagram(SET_PEER_ID_5_6)).toEqual({ kind: 'peer-id', peerId: 2 });
    expect(sut.decodeDatagram(HELLO_5_6)).toEqual({
      kind: 'hello',
      hello: {
        serializationVersion: 29,
        protocolVersion: 41,
        authMechanisms: sut.AUTH_FIRST_SRP,
        legacyName: 'probe_abc',
      },
    });
  });

  it('reads the HELLO of 5.10 and later (empty name), and one without the name field', () => {
    const empty = hex(`${FROM_SERVER} 03 ffdd 01 0002 1d 0000 0035 00000002 0000`);
    expect(sut.decodeDatagram(empty)).toEqual({
      kind: 'hello',
      hello: {
        serializationVersion: 29,
        protocolVersion: 53,
        authMechanisms: sut.AUTH_SRP,
        legacyName: null,
      },
    });
    const bare = hex(`${FROM_SERVER} 01 0002 1c 0000 0020 80000001`);
    expect(sut.decodeDatagram(bare)).toMatchObject({
      hello: { serializationVersion: 28, protocolVersion: 32, authMechanisms: 0x80000001 },
    });
  });

  it('reads ACCESS_DENIED as 5.6 (reason alone or with its text) and 5.10 (all fields) send it', () => {
    expect(sut.decodeDatagram(hex(`${FROM_SERVER} 03 ffdd 01 000a 06`))).toEqual({
      kind: 'denied',
      denial: { reason: sut.DENIED_TOO_MANY_USERS, text: null, reconnect: null },
    });
    const custom = Buffer.concat([
      hex(`${FROM_SERVER} 03 ffdd 01 000a 0a`),
      str('Whitelist only \u2713'),
    ]);
    expect(sut.decodeDatagram(custom)).toEqual({
      kind: 'denied',
      denial: { reason: sut.DENIED_CUSTOM_STRING, text: 'Whitelist only \u2713', reconnect: null },
    });
    expect(sut.decodeDatagram(hex(`${FROM_SERVER} 03 ffdd 01 000a 06 0000 01`))).toEqual({
      kind: 'denied',
      denial: { reason: 6, text: null, reconnect: true },
    });
  });

  it('tells a disconnect from the packets a handshake skips', () => {
    expect(sut.decodeDatagram(hex(`${FROM_SERVER} 00 03`))).toEqual({ kind: 'disconnect' });
    expect(sut.decodeDatagram(hex(`${FROM_SERVER} 03 ffde 00 03`))).toEqual({
      kind: 'disconnect',
    });
    for (const skipped of [
      `${FROM_SERVER} 00 00 ffdc`, // ACK
      `${FROM_SERVER} 00 02`, // PING
      `${FROM_SERVER} 03 ffdc 00 02`, // reliable PING
      `${FROM_SERVER} 02 0007 0003 0002 abcdef`, // a piece of a split message
      `${FROM_SERVER} 03 ffdd 02 0007 0003 0000 abcdef`, // a reliable one
      `${FROM_SERVER} 03 ffdd 01 002a 0102`, // another command
      '4f457403 0001 02 01 0035 0000', // another channel, the legacy refusal (old clients only)
    ]) {
      expect(sut.decodeDatagram(hex(skipped))).toEqual({ kind: 'other' });
    }
  });

  it('rejects datagrams of another protocol or cut short', () => {
    protocolError(() => sut.decodeDatagram(Buffer.alloc(0)));
    protocolError(() => sut.decodeDatagram(hex('4f4574')));
    protocolError(() => sut.decodeDatagram(hex('4f457404 0001 00 00 03')));
    protocolError(() => sut.decodeDatagram(hex('ffffffff 54536f7572636520456e67696e65')));
    protocolError(() => sut.decodeDatagram(hex('4f457403 0001')));
    protocolError(() => sut.decodeDatagram(hex(FROM_SERVER)));
  });

  it('rejects channels, packet and control types the engine does not have', () => {
    protocolError(() => sut.decodeDatagram(hex('4f457403 0001 03 00 03')));
    protocolError(() => sut.decodeDatagram(hex(`${FROM_SERVER} 04`)));
    protocolError(() => sut.decodeDatagram(hex(`${FROM_SERVER} 00 04`)));
    protocolError(() => sut.decodeDatagram(hex(`${FROM_SERVER} 00`)));
  });

  it('rejects control and framing fields cut short, nested reliables and bad chunk numbers', () => {
    protocolError(() => sut.decodeDatagram(hex(`${FROM_SERVER} 00 00 ff`)));
    protocolError(() => sut.decodeDatagram(hex(`${FROM_SERVER} 00 01 00`)));
    protocolError(() => sut.decodeDatagram(hex(`${FROM_SERVER} 03 ff`)));
    protocolError(() => sut.decodeDatagram(hex(`${FROM_SERVER} 03 ffdc`)));
    protocolError(() => sut.decodeDatagram(hex(`${FROM_SERVER} 03 ffdc 03 ffdd 00 03`)));
    protocolError(() => sut.decodeDatagram(hex(`${FROM_SERVER} 01 00`)));
    protocolError(() => sut.decodeDatagram(hex(`${FROM_SERVER} 02 0007 0003`)));
    protocolError(() => sut.decodeDatagram(hex(`${FROM_SERVER} 02 0007 0003 0003 ab`)));
    protocolError(() => sut.decodeDatagram(hex(`${FROM_SERVER} 02 0007 0000 0000`)));
  });

  it('rejects the reserved peer ids 0 (none) and 1 (the server) in a SET_PEER_ID', () => {
    protocolError(() => sut.decodeDatagram(hex(`${FROM_SERVER} 03 ffdc 00 01 0000`)));
    protocolError(() => sut.decodeDatagram(hex(`${FROM_SERVER} 03 ffdc 00 01 0001`)));
  });

  it('rejects a HELLO or ACCESS_DENIED cut short at any field', () => {
    const hello = HELLO_5_6;
    // Every cut inside the fixed fields, and inside the name (a length running past the end).
    for (let end = 13; end < hello.length; end++) {
      if (end === 22) continue; // right after the login methods: the name field is optional
      protocolError(() => sut.decodeDatagram(hello.subarray(0, end)));
    }
    protocolError(() => sut.decodeDatagram(hex(`${FROM_SERVER} 03 ffdd 01 000a`)));
    protocolError(() => sut.decodeDatagram(hex(`${FROM_SERVER} 03 ffdd 01 000a 0a 0005 6869`)));
    protocolError(() => sut.decodeDatagram(hex(`${FROM_SERVER} 03 ffdd 01 000a 0a 00`)));
  });

  it('keeps names and reason texts plain and bounded', () => {
    const long = 'x'.repeat(2000);
    const denial = Buffer.concat([hex(`${FROM_SERVER} 01 000a 0a`), str(long)]);
    const message = sut.decodeDatagram(denial);
    expect(message.kind === 'denied' && message.denial.text?.length).toBe(512);
    const controls = Buffer.concat([hex(`${FROM_SERVER} 01 000a 0a`), str('a\u0007b\nc')]);
    const clean = sut.decodeDatagram(controls);
    expect(clean.kind === 'denied' && clean.denial.text).toBe('ab\nc');
  });
});

describe('what a HELLO tells', () => {
  const hello = (protocolVersion: number, authMechanisms = sut.AUTH_FIRST_SRP) => ({
    serializationVersion: 29,
    protocolVersion,
    authMechanisms,
    legacyName: null,
  });

  it('names the release line of the protocols released so far', () => {
    expect(sut.describeVersion(hello(41))).toBe('protocol 41 (5.6)');
    expect(sut.describeVersion(hello(39))).toBe('protocol 39 (5.2-5.4)');
    expect(sut.describeVersion(hello(45))).toBe('protocol 45 (5.9.1)');
    expect(sut.describeVersion(hello(46))).toBe('protocol 46 (5.10)');
    expect(sut.describeVersion(hello(99))).toBe('protocol 99');
  });

  it('tells a server password from the login methods offered to a name without an account', () => {
    expect(sut.needsServerPassword(hello(41, sut.AUTH_FIRST_SRP))).toBe(false);
    expect(sut.needsServerPassword(hello(41, sut.AUTH_SRP))).toBe(true);
    expect(sut.needsServerPassword(hello(41, sut.AUTH_LEGACY_PASSWORD))).toBe(true);
    expect(sut.needsServerPassword(hello(41, sut.AUTH_SRP | sut.AUTH_FIRST_SRP))).toBe(false);
    expect(sut.needsServerPassword(hello(41, 0))).toBeNull();
    expect(sut.needsServerPassword(hello(41, 1 << 5))).toBeNull();
  });
});
