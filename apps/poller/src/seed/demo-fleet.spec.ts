import { describe, expect, it } from 'vitest';
import { ConfigError } from '#common';
import { DEMO_FLEET, demoFleet, demoServers, queryPort } from './demo-fleet.js';

describe('demoFleet', () => {
  it('keeps the usual ports without variables, each server on a port of its own', () => {
    const sut = demoFleet({});

    expect(sut.map(queryPort)).toEqual(DEMO_FLEET.map(queryPort));
    expect(sut.find((s) => s.name === 'Survival EU #1')).toMatchObject({ port: 25565 });
    expect(new Set(sut.map(queryPort)).size).toBe(sut.length);
    expect(new Set(DEMO_FLEET.map((server) => server.portVariable)).size).toBe(sut.length);
  });

  it("moves the port a server's status queries go to: Valheim's query port, the others' port", () => {
    const sut = demoFleet({ DEMO_MC_SURVIVAL_PORT: '40001', DEMO_VALHEIM_QUERY_PORT: '40002' });

    expect(sut.find((s) => s.name === 'Survival EU #1')).toMatchObject({ port: 40001 });
    expect(sut.find((s) => s.name === 'Valheim Vikings')).toMatchObject({
      port: 2456,
      queryPort: 40002,
    });
    expect(sut.find((s) => s.name === 'Creative Plots')).toMatchObject({ port: 25566 });
  });

  it('refuses anything but a port, naming every bad variable at once', () => {
    const bad = () =>
      demoFleet({ DEMO_RUST_PORT: '0', DEMO_TF2_PORT: '27017x', DEMO_Q3A_PORT: '70000' });

    expect(bad).toThrow(ConfigError);
    expect(bad).toThrow(
      expect.objectContaining({
        problems: [
          "DEMO_TF2_PORT must be a port (1-65535), not '27017x'",
          "DEMO_RUST_PORT must be a port (1-65535), not '0'",
          "DEMO_Q3A_PORT must be a port (1-65535), not '70000'",
        ],
      }),
    );
  });
});

describe('demoServers', () => {
  it('writes the catalog at the moved ports, as demo-games serves them', () => {
    const sut = demoServers('demo.test', { DEMO_VALHEIM_QUERY_PORT: '40003' });

    expect(sut.find((s) => s.name === 'Valheim Vikings')).toEqual({
      name: 'Valheim Vikings',
      game: 'valheim',
      host: 'demo.test',
      port: 2456,
      queryPort: 40003,
    });
    expect(sut.every((s) => !('players' in s))).toBe(true);
  });
});
