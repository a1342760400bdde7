/*
 * Luanti (Minetest until 2024; GameDig id `minetest`, alias `luanti`) over UDP: the start of
 * the engine's own connection handshake, then a disconnect. Specification: luanti.parser.ts.
 *
 * GameDig's `minetest` looks the address up in the public server list, so a server that
 * does not announce itself there reads as offline. This asks the server: before any login
 * it answers TOSERVER_INIT with a peer id and a TOCLIENT_HELLO (or an ACCESS_DENIED), and
 * that is all it tells a client that does not log in: its protocol version and the login
 * methods it offers. Its name, players, slots, map and game are only given to a logged-in
 * player (or to the public list), so they stay unknown here: counts 0, as the GameDig
 * adapter reports counts a server does not give; name, map and game mode null.
 *
 * Nothing is left behind on the server: the probe's name has no account and never gets
 * one (an account and a player are only made after a password exchange, which we never
 * start), and the disconnect at the end frees the peer at once instead of after the
 * server's peer timeout.
 */
import { randomInt } from 'node:crypto';
import type { ServerStatus } from '#common';
import { type AttemptContext, GameProvider, type ResolvedTarget } from '../game-provider.js';
import { gamesOfProvider, queryPortHint } from '../games.js';
import { ProviderError } from '../provider.error.js';
import type { UdpConversation } from '../transport/udp.js';
import {
  type LuantiHello,
  PEER_ID_NONE,
  decodeDatagram,
  describeVersion,
  encodeDisconnect,
  encodeInit,
  needsServerPassword,
} from './luanti.parser.js';

/**
 * Servers before 5.10 create a new peer's client record a server step after the peer, and
 * drop a TOSERVER_INIT that comes before it: the first one always, as it creates the peer.
 * Their own client sends it again every 2 s; we do once the server has answered (so it is
 * a Luanti server holding a peer for us), sooner and then less often.
 */
const FIRST_INIT_RESEND_MS = 25;
const MAX_INIT_RESEND_MS = 400;
/** How early a receive's time limit may fire (timers count whole milliseconds). */
const TIMER_SLACK_MS = 5;
/** The HELLO wait ends this long before the deadline, so the disconnect still goes out. */
const DEADLINE_MARGIN_MS = 20;

/**
 * The probe's player name: random, so that it never is a registered account (the login
 * methods offered to a name without one tell whether the server sets a password), and
 * recognisable in a server's log. A counter from a random start costs less than a random
 * draw per query and gives the same: 10 base-36 digits.
 */
let probeCounter = 36 ** 9 + randomInt(2 ** 47);
const nextProbeName = () => `probe_${(probeCounter++).toString(36)}`;

/**
 * Luanti / Minetest servers, default port 30000. The handshake has this form since engine
 * 0.4.13 (checked against Debian's 5.6.1 and the sources up to 5.17).
 */
export class LuantiProvider extends GameProvider {
  readonly id = 'luanti';
  readonly games = gamesOfProvider('luanti');
  readonly transport = 'udp';

  protected async attempt(
    target: ResolvedTarget,
    signal: AbortSignal,
    context: AttemptContext,
  ): Promise<ServerStatus> {
    const conversation = await this.services.udp.open(target, signal);
    const handshake = new Handshake(conversation, signal, context.deadline);
    try {
      return await handshake.run();
    } finally {
      handshake.end();
      conversation.close();
    }
  }

  protected override timeoutHint(target: ResolvedTarget, context: AttemptContext): string {
    return queryPortHint(context.game, target.port);
  }
}

/**
 * One query's handshake: its state lives here, so the provider stays shared by all queries.
 * The server's reliable packets are never acknowledged: the DISCO ends the peer anyway, and
 * should it be lost, the server's resends answer the next query, which comes from the same
 * shared socket and so is taken for the same client (whose repeated INIT it ignores).
 */
class Handshake {
  private readonly name = nextProbeName();
  /** The peer id the server gave us; 0 until then (the server then knows us by address). */
  private peerId = PEER_ID_NONE;
  /** Whether the server spoke the protocol to us: then it holds a peer for us. */
  private heard = false;
  /** Whether the server dropped the connection itself (nothing left to free). */
  private dropped = false;

  constructor(
    private readonly conversation: UdpConversation,
    private readonly signal: AbortSignal,
    private readonly deadline: number,
  ) {}

  async run(): Promise<ServerStatus> {
    const sentAt = performance.now();
    this.conversation.send(encodeInit(this.peerId, this.name));
    // Nothing comes back from a closed port or another game: wait for the query's deadline.
    let datagram = await this.conversation.receive();
    // The latency is the round trip of the INIT to the server's first answer, its peer id
    // (sent by its network thread at once; the HELLO may wait for a server step).
    const latencyMs = Math.round(performance.now() - sentAt);
    let resendEveryMs = FIRST_INIT_RESEND_MS;
    let resendAt = performance.now() + resendEveryMs;
    for (;;) {
      const message = decodeDatagram(datagram);
      this.heard = true;
      switch (message.kind) {
        case 'peer-id':
          this.peerId = message.peerId;
          break;
        case 'hello':
          return helloStatus(message.hello, latencyMs);
        case 'denied':
          // Full, banned, a mod's rule...: still a server up and answering.
          return answeredStatus(latencyMs);
        case 'disconnect':
          this.dropped = true;
          return answeredStatus(latencyMs);
        case 'other':
          break;
      }
      for (;;) {
        const now = performance.now();
        const left = this.deadline - DEADLINE_MARGIN_MS - now;
        if (left <= 0) throw noHello(this.peerId);
        if (now >= resendAt) {
          this.conversation.send(encodeInit(this.peerId, this.name));
          resendEveryMs = Math.min(resendEveryMs * 2, MAX_INIT_RESEND_MS);
          resendAt = now + resendEveryMs;
        }
        const next = await this.receiveUntil(now + Math.min(left, resendAt - now));
        if (next) {
          datagram = next;
          break;
        }
      }
    }
  }

  /** Frees the server's peer for us, unless the server already dropped it. */
  end(): void {
    // A conversation that failed (timeout, abort) sends nothing: the server's own peer
    // timeout frees the peer then.
    if (this.heard && !this.dropped) this.conversation.send(encodeDisconnect(this.peerId));
  }

  /** The next datagram, or undefined once `until` (a performance.now() time) has come. */
  private async receiveUntil(until: number): Promise<Buffer | undefined> {
    try {
      return await this.conversation.receive(Math.max(0, Math.ceil(until - performance.now())));
    } catch (err) {
      // Only the receive's own time limit means "nothing yet"; a failure that came before
      // it is the conversation's end (and would repeat at once).
      const ownLimit =
        err instanceof ProviderError &&
        err.code === 'timeout' &&
        performance.now() >= until - TIMER_SLACK_MS;
      if (this.signal.aborted || !ownLimit) throw err;
      return undefined;
    }
  }
}

function noHello(peerId: number): ProviderError {
  return new ProviderError(
    'timeout',
    `the server's network layer answered (peer id ${peerId}) but no HELLO came before the ` +
      'deadline: the server is up but its main loop is not answering (overloaded or hung?)',
  );
}

function helloStatus(hello: LuantiHello, latencyMs: number): ServerStatus {
  return {
    ...answeredStatus(latencyMs),
    version: describeVersion(hello),
    passwordProtected: needsServerPassword(hello),
  };
}

/**
 * What any answer tells: the server is up, and how fast it answered. All a server that
 * refused the login (full, banned, ...) tells; a HELLO adds its version.
 */
function answeredStatus(latencyMs: number): ServerStatus {
  return {
    latencyMs,
    playersOnline: 0,
    playersMax: 0,
    bots: 0,
    playerNames: [],
    name: null,
    map: null,
    version: null,
    gameMode: null,
    passwordProtected: null,
  };
}
