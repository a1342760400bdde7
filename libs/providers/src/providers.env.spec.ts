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

  it('names every bad variable once, with its value and what is wrong', () => {
    try {
      validateEnv(ProvidersEnv, {
        PROVIDER_PER_HOST_CONCURRENCY: 'lots',
        PROVIDER_PER_HOST_SPACING_MS: '-1',
        PROVIDER_ROUTES: 'minecraft',
        MCSRVSTAT_URL: 'ftp://x',
      });
      throw new Error('expected a ConfigError');
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).problems).toEqual([
        'PROVIDER_PER_HOST_CONCURRENCY: "lots" is not a whole number',
        'PROVIDER_PER_HOST_SPACING_MS: "-1" is not between 0 and 60000',
        'PROVIDER_ROUTES: each route must be game:provider, e.g. minecraft:minecraft-http (given "minecraft")',
        'MCSRVSTAT_URL: "ftp://x" is not a URL (http:// or https://)',
      ]);
    }
  });
});
