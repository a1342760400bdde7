import { ConfigError, validateEnv } from '#common';
import { describe, expect, it } from 'vitest';
import { DEFAULT_PROVIDERS_OPTIONS } from './provider-services.js';
import { ProvidersEnv, toProvidersOptions } from './providers.env.js';

describe('ProvidersEnv', () => {
  it('gives the default options for an empty environment', () => {
    expect(toProvidersOptions(validateEnv(ProvidersEnv, {}))).toEqual(DEFAULT_PROVIDERS_OPTIONS);
  });

  it('reads every variable', () => {
    const sut = toProvidersOptions(
      validateEnv(ProvidersEnv, {
        PROVIDER_PER_HOST_CONCURRENCY: '4',
        PROVIDER_PER_HOST_SPACING_MS: '250',
        PROVIDER_UDP_RECV_BUFFER_BYTES: '4194304',
        PROVIDER_DNS_SERVERS: '127.0.0.1:5353, ::1',
        PROVIDER_ROUTES: 'minecraft:minecraft-http,rust:gamedig',
        MCSRVSTAT_URL: 'http://127.0.0.1:8080/',
      }),
    );
    expect(sut).toEqual({
      perHostConcurrency: 4,
      perHostSpacingMs: 250,
      udpReceiveBufferBytes: 4194304,
      dnsServers: ['127.0.0.1:5353', '::1'],
      routes: { minecraft: 'minecraft-http', rust: 'gamedig' },
      mcsrvstatUrl: 'http://127.0.0.1:8080',
    });
  });

  it('names every bad variable', () => {
    try {
      validateEnv(ProvidersEnv, {
        PROVIDER_PER_HOST_CONCURRENCY: '0',
        PROVIDER_ROUTES: 'minecraft',
        MCSRVSTAT_URL: 'ftp://x',
      });
      throw new Error('expected a ConfigError');
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const message = (err as ConfigError).message;
      expect(message).toContain('PROVIDER_PER_HOST_CONCURRENCY');
      expect(message).toContain('PROVIDER_ROUTES');
      expect(message).toContain('MCSRVSTAT_URL');
    }
  });
});
