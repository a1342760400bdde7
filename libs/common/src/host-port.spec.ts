import { describe, expect, it } from 'vitest';
import { parseHostPort, parsePort } from './host-port.js';

describe('parseHostPort', () => {
  it.each([
    ['mc.example.com:25566', { host: 'mc.example.com', port: 25566 }],
    ['127.0.0.1', { host: '127.0.0.1', port: undefined }],
    ['[::1]:25565', { host: '::1', port: 25565 }],
    ['[2001:db8::1]', { host: '2001:db8::1', port: undefined }],
    ['2001:db8::1', { host: '2001:db8::1', port: undefined }],
    ['h:65535', { host: 'h', port: 65535 }],
  ])('splits %j', (text, expected) => {
    expect(parseHostPort(text)).toEqual(expected);
  });

  it.each([
    ['h:0', "bad port '0' (1-65535)"],
    ['h:65536', "bad port '65536' (1-65535)"],
    ['h:', "bad port '' (1-65535)"],
    ['h:25a', "bad port '25a' (1-65535)"],
    ['h:+25', "bad port '+25' (1-65535)"],
    [':25565', "missing host in ':25565'"],
    ['', "missing host in ''"],
    ['[::1', "missing ']' in '[::1'"],
    ['[nope]:1', "'nope' is not an IPv6 address"],
    ['[::1]25565', "unexpected '25565' after ']'"],
    ['[::1]:', "bad port '' (1-65535)"],
    ['::1:25565:x', "bad address '::1:25565:x' (IPv6 with a port: [addr]:port)"],
  ])('rejects %j', (text, error) => {
    expect(parseHostPort(text)).toEqual({ error });
  });
});

describe('parsePort', () => {
  it.each([
    ['1', 1],
    ['65535', 65535],
    ['0', undefined],
    ['65536', undefined],
    ['25565.0', undefined],
    [' 25565', undefined],
    ['-1', undefined],
  ])('reads %j as %j', (text, port) => {
    expect(parsePort(text)).toBe(port);
  });
});
