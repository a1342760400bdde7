/*
 * Valve server queries (A2S), the packet layer: single and split (multi-packet) replies.
 * Specification: https://developer.valvesoftware.com/wiki/Server_queries
 * ("Simple Response Format", "Multi-packet Response Format").
 *
 * A reply that fits one datagram starts with the i32 -1 (FF FF FF FF). A longer one is cut
 * into datagrams starting with -2 (FF FF FF FE) and an i32 id shared by its parts, then:
 * - Source: u8 total, u8 number (from 0), u16 max packet size (absent on a few 2006-era
 *   engines). If the id's top bit is set the whole reply was bzip2-compressed before it was
 *   cut: the first part (number 0) then carries the decompressed size (u32) and the CRC32
 *   of the decompressed bytes (u32) before its payload.
 * - GoldSrc: one byte, the number in the high nibble and the total in the low one.
 * Joined in order, the parts form a reply that itself starts with FF FF FF FF.
 */
import { ByteReader } from '../byte-reader.js';
import { ProviderError } from '../provider.error.js';
import { type Decompressed, decompressBzip2 } from './bzip2.js';

/** Which split header a server uses; known from its A2S_INFO reply. */
export type SplitFormat = 'source' | 'source-no-size' | 'goldsrc';

export type A2sPacket =
  | { kind: 'single'; message: Buffer }
  /** A split part that cannot belong to any reply (its number is not below its total). */
  | { kind: 'stray'; reason: string }
  | {
      kind: 'split';
      id: number;
      total: number;
      number: number;
      payload: Buffer;
      /**
       * Part 0 of a bzip2-compressed reply only: what the whole decompresses to. (The other
       * parts share its id, top bit included, so they join the same reply.)
       */
      decompressed?: Decompressed;
    };

const SINGLE = -1;
const SPLIT = -2;
const COMPRESSED_BIT = 0x80000000;

/**
 * Split replies above this many bytes in total are refused (Rust's run to tens of KB), and
 * so are compressed ones that say they decompress to more.
 */
export const MAX_REASSEMBLED_BYTES = 512 * 1024;
/** Split replies assembled at once per conversation at most. */
const MAX_OPEN_REPLIES = 4;

function malformed(message: string): ProviderError {
  return new ProviderError('protocol', `A2S: ${message}`);
}

/** Reads the header of one datagram; the message of a single one starts at its type byte. */
export function parseA2sPacket(datagram: Buffer, format: SplitFormat): A2sPacket {
  const reader = new ByteReader(datagram, 'A2S packet');
  const header = reader.i32le('header');
  if (header === SINGLE) return { kind: 'single', message: reader.rest() };
  if (header !== SPLIT)
    throw malformed(`header 0x${(header >>> 0).toString(16)}, expected -1 or -2`);
  const id = reader.u32le('split id');
  let total: number;
  let number: number;
  let decompressed: Decompressed | undefined;
  if (format === 'goldsrc') {
    const packed = reader.u8('packet number');
    number = packed >> 4;
    total = packed & 0x0f;
  } else {
    total = reader.u8('packet total');
    number = reader.u8('packet number');
    if (format === 'source') reader.u16le('packet size');
    if ((id & COMPRESSED_BIT) !== 0 && number === 0) {
      decompressed = { size: reader.u32le('decompressed size'), crc32: reader.u32le('CRC32') };
    }
  }
  // One bad datagram must not cost the reply whose id it carries: it is left out.
  if (total < 1 || number >= total)
    return { kind: 'stray', reason: `split part ${number} of ${total}` };
  const payload = reader.rest();
  return decompressed
    ? { kind: 'split', id, total, number, payload, decompressed }
    : { kind: 'split', id, total, number, payload };
}

interface OpenReply {
  id: number;
  total: number;
  parts: (Buffer | undefined)[];
  received: number;
  /** From part 0 of a compressed reply. */
  decompressed: Decompressed | undefined;
}

/**
 * Joins the parts of split replies, in any arrival order, within fixed bounds: at most
 * {@link MAX_REASSEMBLED_BYTES} held and a few replies open at once. Parts are joined by id
 * and total together, so a stray part that gives another total for the same id opens a reply
 * of its own, which is dropped when the real one completes, rather than failing it.
 */
export class SplitAssembler {
  private readonly open = new Map<string, OpenReply>();
  private heldBytes = 0;

  /** Adds one part; returns the whole reply's message (after its FF FF FF FF) once complete. */
  add(packet: Extract<A2sPacket, { kind: 'split' }>): Buffer | undefined {
    const key = `${packet.id}:${packet.total}`;
    let reply = this.open.get(key);
    if (!reply) {
      if (this.open.size >= MAX_OPEN_REPLIES) throw malformed('too many split replies at once');
      reply = {
        id: packet.id,
        total: packet.total,
        parts: new Array<Buffer | undefined>(packet.total),
        received: 0,
        decompressed: undefined,
      };
      this.open.set(key, reply);
    }
    if (reply.parts[packet.number]) return undefined; // a duplicate datagram
    this.heldBytes += packet.payload.length;
    if (this.heldBytes > MAX_REASSEMBLED_BYTES) {
      throw malformed(`split reply exceeds ${MAX_REASSEMBLED_BYTES} bytes`);
    }
    reply.parts[packet.number] = Buffer.from(packet.payload);
    reply.received++;
    if (packet.decompressed) reply.decompressed = packet.decompressed;
    if (reply.received < reply.total) return undefined;
    const joined = Buffer.concat(reply.parts as Buffer[]);
    // The reply is whole: it, and whatever strays came with its id, are done with.
    for (const [other, open] of this.open) {
      if (open.id !== packet.id) continue;
      this.open.delete(other);
      for (const part of open.parts) this.heldBytes -= part?.length ?? 0;
    }
    // Part 0 is in (all parts are), so a compressed reply has its size and CRC32 by now.
    const whole = reply.decompressed
      ? decompressBzip2(joined, reply.decompressed, MAX_REASSEMBLED_BYTES)
      : joined;
    const reader = new ByteReader(whole, 'A2S split reply');
    if (reader.i32le('header') !== SINGLE) throw malformed('joined split reply lacks its header');
    return reader.rest();
  }
}
