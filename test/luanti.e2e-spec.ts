import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LuantiProvider, ProviderError, ProviderServices } from '#providers';
import { type LuantiServer, holdConnection, startLuantiServer } from './support/luanti-server.js';
import { freePort } from './support/ports.js';
import { waitFor } from './support/wait-for.js';

/** Nothing the server tells without a login. */
const UNKNOWN = {
  playersOnline: 0,
  playersMax: 0,
  bots: 0,
  playerNames: [],
  name: null,
  map: null,
  gameMode: null,
};

/**
 * The Luanti provider against Debian's minetest-server on loopback: the handshake a real
 * server answers, the slot it must give back, and what it must not keep.
 */
describe('Luanti (Debian minetest-server)', () => {
  const services = new ProviderServices();
  const sut = new LuantiProvider(services);
  const opts = { timeoutMs: 5000 };
  let open: LuantiServer;
  let locked: LuantiServer;
  const query = (server: LuantiServer) => sut.query({ host: '127.0.0.1', port: server.port }, opts);

  beforeAll(async () => {
    // One player slot: a probe that left its peer behind would fill the server.
    [open, locked] = await Promise.all([
      startLuantiServer({ maxUsers: 1 }),
      startLuantiServer({ maxUsers: 10, defaultPassword: 'letmein' }),
    ]);
  });

  afterAll(async () => {
    await services.close();
    await Promise.all([open, locked].map((server) => server?.stop()));
  });

  it("reads online, latency and the protocol version from the server's HELLO", async () => {
    const status = await query(open);
    // The release line the engine's own version belongs to, e.g. `5.6` for 5.6.1.
    const [major, minor] = open.engineVersion.split('.');
    expect(status).toMatchObject({ ...UNKNOWN, passwordProtected: false });
    expect(status.version).toMatch(new RegExp(`^protocol \\d+ \\(${major}\\.${minor}\\b`, 'u'));
    expect(status.latencyMs).toBeGreaterThanOrEqual(0);
    expect(status.latencyMs).toBeLessThan(1000);
  });

  it('gives its player slot back at once: another client gets the one slot right after', async () => {
    // Our probes all come from one socket, which the server would take for the same client
    // (and answer again from its resends): the check comes from another one.
    for (let i = 0; i < 3; i++) {
      expect((await query(open)).version).toMatch(/^protocol /u);
      const next = await holdConnection(open.port, `after_probe_${i}`);
      expect(next).toBeDefined();
      await next?.close();
    }
  });

  it('reports a full server as online, and reads it again once the slot is free', async () => {
    const held = await holdConnection(open.port, 'holder');
    expect(held).toBeDefined();
    try {
      // The engine refuses the login (ACCESS_DENIED, too many users): up, but no HELLO.
      expect(await query(open)).toMatchObject({ ...UNKNOWN, version: null });
      expect(await open.log()).toMatch(/probe_[0-9a-z]{10} tried to join/u);
    } finally {
      await held?.close();
    }
    await waitFor('the slot given back', async () => (await query(open)).version !== null);
  });

  it('tells a server whose new players need its default password', async () => {
    expect(await query(locked)).toMatchObject({ ...UNKNOWN, passwordProtected: true });
  });

  it('leaves no player, account or join behind', async () => {
    await query(open);
    const log = await open.log();
    // The server saw the probes (INFO lines), and nothing went further than the HELLO.
    expect(log).toMatch(/New connection: "probe_[0-9a-z]{10}"/u);
    expect(log).not.toMatch(/joins game|leaves game|times out/u);
    expect(open.accounts()).toEqual([]);
    expect(locked.accounts()).toEqual([]);
  });

  it('fails as the other UDP providers do on a closed port', async () => {
    const closed = await freePort();
    const err = await sut.query({ host: '127.0.0.1', port: closed }, { timeoutMs: 500 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ProviderError);
    expect(['refused', 'timeout']).toContain((err as ProviderError).code);
  });
});
