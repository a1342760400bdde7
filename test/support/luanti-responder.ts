/*
 * A Luanti (Minetest) server's side of the connection handshake, for tests and benchmarks,
 * written from the engine's sources (src/network/mtp/, serverpackethandler.cpp), not from
 * our provider: a datagram from an unknown address with peer id 0 makes a peer, numbered in
 * a reliable SET_PEER_ID; a TOSERVER_INIT is answered with a reliable TOCLIENT_HELLO (or
 * ACCESS_DENIED and a DISCO); a DISCO deletes the peer. Big-endian throughout.
 */
import { type UdpRequest, type UdpResponder, startUdpResponder } from './udp-responder.js';

const PROTOCOL_ID = 0x4f457403;
const SERVER_PEER_ID = 1;
const SEQNUM_INITIAL = 65500;

export interface HelloFields {
  serializationVersion: number;
  protocolVersion: number;
  authMechanisms: number;
  /** The name field (5.6 echoes the player's name, 5.10 and later send it empty). */
  legacyName?: string;
}

export interface DenialFields {
  reason: number;
  /** Written when given or when `reconnect` is (5.10 and later always write both). */
  text?: string;
  reconnect?: boolean;
}

/** The 7-byte header every datagram starts with. */
function header(peerId: number, channel: number): Buffer {
  const buf = Buffer.alloc(7);
  buf.writeUInt32BE(PROTOCOL_ID, 0);
  buf.writeUInt16BE(peerId, 4);
  buf[6] = channel;
  return buf;
}

function u16(value: number): Buffer {
  const buf = Buffer.alloc(2);
  buf.writeUInt16BE(value);
  return buf;
}

function lengthPrefixed(text: string): Buffer {
  const bytes = Buffer.from(text, 'utf8');
  return Buffer.concat([u16(bytes.length), bytes]);
}

/** A server datagram on channel 0: `body` (a packet) inside a RELIABLE packet numbered `seqnum`. */
export function reliable(seqnum: number, body: Buffer): Buffer {
  return Buffer.concat([header(SERVER_PEER_ID, 0), Buffer.from([3]), u16(seqnum), body]);
}

/** An unreliable server datagram on `channel` carrying `body` (a packet). */
export function unreliable(body: Buffer, channel = 0): Buffer {
  return Buffer.concat([header(SERVER_PEER_ID, channel), body]);
}

/** CONTROL SET_PEER_ID, as a packet. */
export function setPeerIdPacket(peerId: number): Buffer {
  return Buffer.concat([Buffer.from([0, 1]), u16(peerId)]);
}

/** ORIGINAL TOCLIENT_HELLO, as a packet. */
export function helloPacket(hello: HelloFields): Buffer {
  const fixed = Buffer.alloc(2 + 1 + 2 + 2 + 4);
  fixed.writeUInt16BE(0x02, 0);
  fixed[2] = hello.serializationVersion;
  fixed.writeUInt16BE(0, 3);
  fixed.writeUInt16BE(hello.protocolVersion, 5);
  fixed.writeUInt32BE(hello.authMechanisms >>> 0, 7);
  return Buffer.concat([Buffer.from([1]), fixed, lengthPrefixed(hello.legacyName ?? '')]);
}

/** ORIGINAL TOCLIENT_ACCESS_DENIED, as a packet. */
export function deniedPacket(denial: DenialFields): Buffer {
  const parts = [Buffer.from([1]), u16(0x0a), Buffer.from([denial.reason])];
  // The reconnect flag only ever follows the text (an empty one if need be).
  if (denial.text !== undefined || denial.reconnect !== undefined) {
    parts.push(lengthPrefixed(denial.text ?? ''));
  }
  if (denial.reconnect !== undefined) parts.push(Buffer.from([denial.reconnect ? 1 : 0]));
  return Buffer.concat(parts);
}

/** CONTROL DISCO, PING and ACK, as packets. */
export const DISCO_PACKET = Buffer.from([0, 3]);
export const PING_PACKET = Buffer.from([0, 2]);
export function ackPacket(seqnum: number): Buffer {
  return Buffer.concat([Buffer.from([0, 0]), u16(seqnum)]);
}

/** One chunk of a SPLIT message, as a packet. */
export function splitPacket(seqnum: number, count: number, index: number, piece: Buffer): Buffer {
  return Buffer.concat([Buffer.from([2]), u16(seqnum), u16(count), u16(index), piece]);
}

/** What a client sent, as far as a handshake goes. */
export type ClientPacket =
  | {
      kind: 'init';
      peerId: number;
      channel: number;
      serializationVersion: number;
      minProtocol: number;
      maxProtocol: number;
      name: string;
    }
  | { kind: 'disco'; peerId: number }
  | { kind: 'other'; peerId: number };

/** Reads a client datagram; undefined for anything not of the protocol. */
export function decodeClientPacket(datagram: Buffer): ClientPacket | undefined {
  if (datagram.length < 8 || datagram.readUInt32BE(0) !== PROTOCOL_ID) return undefined;
  const peerId = datagram.readUInt16BE(4);
  const channel = datagram[6] as number;
  const type = datagram[7];
  if (type === 0 && datagram[8] === 3) return { kind: 'disco', peerId };
  if (type === 1 && datagram.length >= 19 && datagram.readUInt16BE(8) === 0x02) {
    const size = datagram.readUInt16BE(17);
    return {
      kind: 'init',
      peerId,
      channel,
      serializationVersion: datagram[10] as number,
      minProtocol: datagram.readUInt16BE(13),
      maxProtocol: datagram.readUInt16BE(15),
      name: datagram.toString('latin1', 19, 19 + size),
    };
  }
  return { kind: 'other', peerId };
}

export interface LuantiFixture {
  /** The server's answer to an INIT it accepts: a HELLO, or a refusal (ACCESS_DENIED then DISCO). */
  answer: { hello: HelloFields } | { denied: DenialFields } | 'disconnect' | 'none';
  /**
   * As servers before 5.10: the first INIT (the one that makes the peer) is dropped, and so
   * is every INIT for this long after it, as the client record is made a server step later.
   */
  lateClientMs?: number;
  /** Send the HELLO before the SET_PEER_ID, as a network that reorders would deliver them. */
  helloFirst?: boolean;
  /** Send the DISCO before the ACCESS_DENIED (both orders happen: DISCO is unreliable). */
  discoFirst?: boolean;
  /** Datagrams sent before any answer (pings, acks, split pieces: to be skipped). */
  noiseFirst?: Buffer[];
  /** Keep `inits` and `discos` empty: a benchmark's millions of handshakes would fill them. */
  unrecorded?: boolean;
}

export interface LuantiResponder extends UdpResponder {
  /** Every INIT received, in order. */
  readonly inits: Extract<ClientPacket, { kind: 'init' }>[];
  /** The peer id of every DISCO received, in order. */
  readonly discos: number[];
  /** Peers the responder still holds (made and not yet deleted by a DISCO). */
  readonly peers: number;
}

/** The handler of a responder answering as `fixture`, with its record of what came in. */
export function luantiHandler(fixture: LuantiFixture) {
  const inits: Extract<ClientPacket, { kind: 'init' }>[] = [];
  const discos: number[] = [];
  const record = fixture.unrecorded
    ? () => undefined
    : (packet: ClientPacket) => {
        if (packet.kind === 'init') inits.push(packet);
        else if (packet.kind === 'disco') discos.push(packet.peerId);
      };
  /** By `address|port`: the peer id given and when it was made. */
  const peers = new Map<
    string,
    { id: number; madeAt: number; seqnum: number; answered: boolean }
  >();
  let nextPeerId = 2;

  const handle = ({ datagram, from, reply }: UdpRequest): void => {
    const packet = decodeClientPacket(datagram);
    if (!packet) return;
    const key = `${from.address}|${from.port}`;
    if (packet.kind === 'disco') {
      record(packet);
      peers.delete(key);
      return;
    }
    let peer = peers.get(key);
    if (!peer && packet.peerId === 0) {
      peer = {
        id: nextPeerId++,
        madeAt: performance.now(),
        seqnum: SEQNUM_INITIAL,
        answered: false,
      };
      peers.set(key, peer);
      const numbered = reliable(peer.seqnum++, setPeerIdPacket(peer.id));
      record(packet);
      // Before 5.10 the INIT that made the peer is dropped: its client record comes later.
      if (packet.kind !== 'init' || fixture.lateClientMs !== undefined) {
        reply(numbered);
        return;
      }
      if (!fixture.helloFirst) reply(numbered);
      if (answer(peer, reply)) peers.delete(key);
      if (fixture.helloFirst) reply(numbered);
      return;
    }
    if (!peer || packet.kind !== 'init') return;
    record(packet);
    if (performance.now() - peer.madeAt < (fixture.lateClientMs ?? 0)) return;
    if (answer(peer, reply)) peers.delete(key);
  };

  /** Answers an INIT the server accepts; true when the server then drops the peer. */
  const answer = (
    peer: { seqnum: number; answered: boolean },
    reply: (data: Uint8Array) => void,
  ): boolean => {
    if (peer.answered) return false; // "Ignoring multiple TOSERVER_INITs"
    peer.answered = true;
    for (const noise of fixture.noiseFirst ?? []) reply(noise);
    const { answer: what } = fixture;
    if (what === 'none') return false;
    if (what === 'disconnect') {
      reply(unreliable(DISCO_PACKET));
      return true;
    }
    if ('hello' in what) {
      reply(reliable(peer.seqnum++, helloPacket(what.hello)));
      return false;
    }
    const denied = reliable(peer.seqnum++, deniedPacket(what.denied));
    if (!fixture.discoFirst) reply(denied);
    reply(unreliable(DISCO_PACKET));
    if (fixture.discoFirst) reply(denied);
    return true;
  };

  return {
    handle,
    inits,
    discos,
    get peers() {
      return peers.size;
    },
  };
}

/** Starts a handshake responder on 127.0.0.1; always stop it in afterAll/afterEach. */
export async function startLuantiResponder(fixture: LuantiFixture): Promise<LuantiResponder> {
  const state = luantiHandler(fixture);
  const responder = await startUdpResponder(state.handle);
  return {
    address: responder.address,
    port: responder.port,
    get received() {
      return responder.received;
    },
    setHandler: (handler) => responder.setHandler(handler),
    stop: () => responder.stop(),
    inits: state.inits,
    discos: state.discos,
    get peers() {
      return state.peers;
    },
  };
}
