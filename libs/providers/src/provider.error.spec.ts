import { describe, expect, it } from 'vitest';
import { ProviderError, isProviderError, toProviderError } from './provider.error.js';

function errno(code: string, syscall = 'connect'): NodeJS.ErrnoException {
  return Object.assign(new Error(`${syscall} ${code}`), { code, syscall });
}

describe('toProviderError', () => {
  it.each([
    ['ETIMEDOUT', 'timeout'],
    ['ECONNREFUSED', 'refused'],
    ['EHOSTUNREACH', 'unreachable'],
    ['ENETUNREACH', 'unreachable'],
    ['EAFNOSUPPORT', 'unreachable'],
    ['ENOTFOUND', 'dns'],
    ['EAI_AGAIN', 'dns'],
    ['EPROTO', 'protocol'],
  ])('maps %s to %s', (code, expected) => {
    const sut = toProviderError(errno(code));
    expect(sut).toBeInstanceOf(ProviderError);
    expect(sut.code).toBe(expected);
    expect(sut.cause).toBeInstanceOf(Error);
  });

  it('maps a reset while connecting to unreachable, and after it to protocol', () => {
    expect(toProviderError(errno('ECONNRESET'), 'connect').code).toBe('unreachable');
    expect(toProviderError(errno('ECONNRESET'), 'exchange').code).toBe('protocol');
  });

  it('blames the resolver, not the game server, for a resolver error of any code', () => {
    expect(toProviderError(errno('ECONNREFUSED', 'querySrv')).code).toBe('dns');
    expect(toProviderError(errno('ETIMEOUT', 'queryA')).code).toBe('dns');
    expect(toProviderError(errno('ENOTFOUND', 'getaddrinfo')).code).toBe('dns');
  });

  it('maps aborts and abort timeouts to timeout', () => {
    expect(toProviderError(new DOMException('t', 'TimeoutError')).code).toBe('timeout');
    expect(toProviderError(new DOMException('a', 'AbortError')).code).toBe('timeout');
    expect(toProviderError(errno('ABORT_ERR')).code).toBe('timeout');
  });

  it('reads the first attempt of an AggregateError from multi-address connects', () => {
    const sut = toProviderError(new AggregateError([errno('ECONNREFUSED'), errno('ENETUNREACH')]));
    expect(sut.code).toBe('refused');
  });

  it('passes a ProviderError through and turns anything unknown into protocol', () => {
    const denied = new ProviderError('denied', 'no permission');
    expect(toProviderError(denied)).toBe(denied);
    expect(toProviderError(new TypeError('boom'))).toMatchObject({
      code: 'protocol',
      message: 'boom',
    });
    expect(toProviderError('a string')).toMatchObject({ code: 'protocol', message: 'a string' });
    expect(isProviderError(denied)).toBe(true);
    expect(isProviderError(new Error('x'))).toBe(false);
    expect(denied.name).toBe('ProviderError');
  });
});
