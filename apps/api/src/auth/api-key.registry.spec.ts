import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '#common';
import { allows, ApiKeyRegistry } from './api-key.registry.js';

const ADMIN = 'a'.repeat(16) + ':with:colons';
const VIEWER = 'v'.repeat(40);

const request = (headers: Record<string, string>) => ({ headers }) as unknown as IncomingMessage;
const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('ApiKeyRegistry', () => {
  const sut = ApiKeyRegistry.parse(`ops:admin:${ADMIN},\n dashboard:viewer:${VIEWER}\n`);

  it('reads entries separated by commas or new lines; a key may hold colons', () => {
    expect(sut.resolve(ADMIN)).toEqual({ name: 'ops', role: 'admin' });
    expect(sut.resolve(VIEWER)).toEqual({ name: 'dashboard', role: 'viewer' });
  });

  it('knows no key it was not given, nor an empty one', () => {
    expect(sut.resolve(VIEWER.slice(1))).toBeNull();
    expect(sut.resolve('')).toBeNull();
    expect(sut.resolve(undefined)).toBeNull();
  });

  it('finds the key in X-API-Key, a Bearer token or a Basic password', () => {
    expect(sut.fromRequest(request({ 'x-api-key': VIEWER }))?.name).toBe('dashboard');
    expect(sut.fromRequest(request({ authorization: `Bearer ${VIEWER}` }))?.name).toBe('dashboard');
    expect(sut.fromRequest(request({ authorization: basic('anyone', ADMIN) }))?.name).toBe('ops');
    expect(sut.fromRequest(request({ authorization: basic(ADMIN, 'x') }))).toBeNull();
    expect(sut.fromRequest(request({}))).toBeNull();
  });

  it('refuses a name or a key given twice, without echoing the key', () => {
    const twice = () =>
      ApiKeyRegistry.parse(`a:admin:${ADMIN},b:viewer:${ADMIN},a:viewer:${VIEWER}`);

    expect(twice).toThrow(ConfigError);
    expect(twice).toThrow(/'b' repeats the key of another entry[\s\S]*the name 'a' is given twice/);
    try {
      twice();
    } catch (err) {
      expect((err as Error).message).not.toContain(ADMIN);
    }
  });
});

describe('allows', () => {
  it('lets admin do everything and viewer only read', () => {
    expect(allows('admin', 'admin')).toBe(true);
    expect(allows('admin', 'viewer')).toBe(true);
    expect(allows('viewer', 'viewer')).toBe(true);
    expect(allows('viewer', 'admin')).toBe(false);
  });
});
