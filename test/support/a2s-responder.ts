/*
 * A Valve A2S server for tests and benchmarks, written from Valve's documentation
 * (https://developer.valvesoftware.com/wiki/Server_queries), independent of the parser
 * under test: A2S_INFO (Source or GoldSrc form, with or without the post-2020 challenge),
 * A2S_PLAYER with its challenge, and split replies in the Source or GoldSrc header format.
 */
import { randomBytes } from 'node:crypto';
import { type UdpResponder, startUdpResponder } from './udp-responder.js';

export interface A2sInfoFixture {
  protocol?: number;
  name: string;
  map: string;
  folder?: string;
  game?: string;
  appId?: number;
  players: number;
  maxPlayers: number;
  bots?: number;
  serverType?: 'd' | 'l' | 'p';
  environment?: 'l' | 'w' | 'm' | 'o';
  password?: boolean;
  vac?: boolean;
  version?: string;
  gamePort?: number;
  steamId?: bigint;
  sourceTv?: { port: number; name: string };
  keywords?: string;
  gameId?: bigint;
}

export interface A2sPlayerFixture {
  name: string;
  score?: number;
  durationS?: number;
}

export interface A2sServerOptions {
  info: A2sInfoFixture;
  players?: A2sPlayerFixture[];
  /** Answer A2S_INFO with a challenge first, as servers do since late 2020. */
  challengeInfo?: boolean;
  /** Answer A2S_INFO in the obsolete GoldSrc form (0x6D). */
  goldSrcInfo?: boolean;
  /** Answer A2S_INFO twice, in the obsolete GoldSrc form then the current one (CS 1.6 does). */
  bothInfoReplies?: boolean;
  /** Split header used for replies longer than `maxPayload`. */
  splitFormat?: 'source' | 'goldsrc';
  /** Largest payload per datagram before a reply is split (Valve: 1248 by default). */
  maxPayload?: number;
  /** Mark split replies as bzip2-compressed (the id's top bit). */
  compressedFlag?: boolean;
  /** Never answer A2S_PLAYER (Conan Exiles does not). */
  silentPlayers?: boolean;
  /** Send every datagram of a split reply in reverse order. */
  reverseSplits?: boolean;
}

const HEADER = Buffer.from([0xff, 0xff, 0xff, 0xff]);

const cstring = (text: string) => Buffer.from(`${text}\0`, 'utf8');
const u8 = (n: number) => Buffer.from([n & 0xff]);
function u16le(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(n);
  return b;
}
function i32le(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32LE(n);
  return b;
}
function u64le(n: bigint): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(n);
  return b;
}
function f32le(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeFloatLE(n);
  return b;
}

/** An S2A_INFO reply in the Source form (0x49), with the extra data for the fields given. */
export function encodeA2sInfo(info: A2sInfoFixture): Buffer {
  let edf = 0;
  const extra: Buffer[] = [];
  if (info.gamePort !== undefined) {
    edf |= 0x80;
    extra.push(u16le(info.gamePort));
  }
  if (info.steamId !== undefined) {
    edf |= 0x10;
    extra.push(u64le(info.steamId));
  }
  if (info.sourceTv) {
    edf |= 0x40;
    extra.push(u16le(info.sourceTv.port), cstring(info.sourceTv.name));
  }
  if (info.keywords !== undefined) {
    edf |= 0x20;
    extra.push(cstring(info.keywords));
  }
  if (info.gameId !== undefined) {
    edf |= 0x01;
    extra.push(u64le(info.gameId));
  }
  return Buffer.concat([
    HEADER,
    u8(0x49),
    u8(info.protocol ?? 17),
    cstring(info.name),
    cstring(info.map),
    cstring(info.folder ?? 'cstrike'),
    cstring(info.game ?? 'Counter-Strike'),
    u16le((info.appId ?? 730) & 0xffff),
    u8(info.players),
    u8(info.maxPlayers),
    u8(info.bots ?? 0),
    Buffer.from(info.serverType ?? 'd'),
    Buffer.from(info.environment ?? 'l'),
    u8(info.password ? 1 : 0),
    u8(info.vac ? 1 : 0),
    ...(info.appId === 2400 ? [u8(0), u8(2), u8(3)] : []),
    cstring(info.version ?? '1.0.0.0'),
    ...(edf === 0 ? [] : [u8(edf), ...extra]),
  ]);
}

/** An S2A_INFO reply in the obsolete GoldSrc form (0x6D), without mod details. */
export function encodeGoldSrcInfo(info: A2sInfoFixture): Buffer {
  return Buffer.concat([
    HEADER,
    u8(0x6d),
    cstring('127.0.0.1:27015'),
    cstring(info.name),
    cstring(info.map),
    cstring(info.folder ?? 'cstrike'),
    cstring(info.game ?? 'Counter-Strike'),
    u8(info.players),
    u8(info.maxPlayers),
    u8(info.protocol ?? 47),
    Buffer.from(info.serverType ?? 'd'),
    Buffer.from(info.environment ?? 'l'),
    u8(info.password ? 1 : 0),
    u8(0),
    u8(info.vac ? 1 : 0),
    u8(info.bots ?? 0),
  ]);
}

/** An S2A_PLAYER reply. */
export function encodeA2sPlayers(players: readonly A2sPlayerFixture[]): Buffer {
  return Buffer.concat([
    HEADER,
    u8(0x44),
    u8(players.length),
    ...players.flatMap((p, i) => [
      u8(i),
      cstring(p.name),
      i32le(p.score ?? 0),
      f32le(p.durationS ?? 60),
    ]),
  ]);
}

/** An S2C_CHALLENGE reply. */
export function encodeChallenge(challenge: Buffer): Buffer {
  return Buffer.concat([HEADER, u8(0x41), challenge]);
}

/** Cuts a whole reply (starting with FF FF FF FF) into split datagrams. */
export function splitReply(
  reply: Buffer,
  opts: { format: 'source' | 'goldsrc'; id: number; maxPayload: number; compressedFlag?: boolean },
): Buffer[] {
  const parts: Buffer[] = [];
  for (let at = 0; at < reply.length; at += opts.maxPayload) {
    parts.push(reply.subarray(at, at + opts.maxPayload));
  }
  const id = Buffer.alloc(4);
  id.writeUInt32LE((opts.id | (opts.compressedFlag ? 0x80000000 : 0)) >>> 0);
  return parts.map((payload, number) => {
    const head =
      opts.format === 'goldsrc'
        ? u8((number << 4) | parts.length)
        : Buffer.concat([u8(parts.length), u8(number), u16le(opts.maxPayload)]);
    return Buffer.concat([Buffer.from([0xfe, 0xff, 0xff, 0xff]), id, head, payload]);
  });
}

export interface A2sResponder {
  readonly port: number;
  readonly received: number;
  /** Changes what the server answers from the next request on. */
  set(options: Partial<A2sServerOptions>): void;
  stop(): Promise<void>;
}

/** Starts an A2S server on 127.0.0.1 (or `host`); always stop it in afterAll/afterEach. */
export async function startA2sResponder(
  initial: A2sServerOptions,
  port = 0,
  host?: string,
): Promise<A2sResponder> {
  let options = initial;
  const challenge = randomBytes(4);
  const challengeReply = encodeChallenge(challenge);
  let splitId = 1;
  let infoReply: Buffer = Buffer.alloc(0);
  let playersReply: Buffer = Buffer.alloc(0);
  const prepare = () => {
    infoReply = options.goldSrcInfo ? encodeGoldSrcInfo(options.info) : encodeA2sInfo(options.info);
    playersReply = encodeA2sPlayers(options.players ?? []);
  };
  prepare();
  const send = (reply: Buffer, answer: (d: Buffer) => void) => {
    const maxPayload = options.maxPayload ?? 1248;
    if (reply.length <= maxPayload) return answer(reply);
    const parts = splitReply(reply, {
      format: options.splitFormat ?? 'source',
      id: splitId++ & 0x7fffffff,
      maxPayload,
      compressedFlag: options.compressedFlag ?? false,
    });
    for (const part of options.reverseSplits ? parts.reverse() : parts) answer(part);
  };
  const udp: UdpResponder = await startUdpResponder(
    ({ datagram, reply }) => {
      if (datagram.length < 5 || datagram.readInt32LE(0) !== -1) return;
      const type = datagram[4];
      if (type === 0x54) {
        const given = datagram.subarray(25, 29);
        if (options.challengeInfo && !given.equals(challenge)) return reply(challengeReply);
        if (options.bothInfoReplies) send(encodeGoldSrcInfo(options.info), reply);
        return send(infoReply, reply);
      }
      if (type === 0x55) {
        if (options.silentPlayers) return;
        if (!datagram.subarray(5, 9).equals(challenge)) return reply(challengeReply);
        return send(playersReply, reply);
      }
    },
    { port, ...(host !== undefined && { host }) },
  );
  return {
    port: udp.port,
    get received() {
      return udp.received;
    },
    set: (next) => {
      options = { ...options, ...next };
      prepare();
    },
    stop: () => udp.stop(),
  };
}
