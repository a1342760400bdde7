import { ProviderError } from './provider.error.js';

/**
 * A cursor over an untrusted reply. Every read checks the bytes are there first and
 * throws ProviderError('protocol') naming the reply and the field otherwise, so a parser
 * built on it cannot read out of bounds, loop, or allocate more than the reply holds.
 *
 * Small integers are assembled from bytes here rather than with Buffer's read methods:
 * those check the bounds again, and this runs for every field of every reply.
 */
export class ByteReader {
  private offset = 0;
  /** The whole reply as Latin-1 text, decoded on the first string read. */
  private decoded: string | undefined;

  /** @param what names the reply in error messages, e.g. `A2S_INFO`. */
  constructor(
    private readonly buf: Buffer,
    private readonly what: string,
  ) {}

  get remaining(): number {
    return this.buf.length - this.offset;
  }

  get position(): number {
    return this.offset;
  }

  /** A ProviderError('protocol') in this reader's words. */
  malformed(message: string): ProviderError {
    return new ProviderError('protocol', `${this.what}: ${message}`);
  }

  private take(size: number, field: string): number {
    if (size > this.remaining) {
      throw this.malformed(`${field} runs past the end (${this.remaining} bytes left)`);
    }
    const at = this.offset;
    this.offset += size;
    return at;
  }

  /** The byte at `at`, which {@link take} has checked is inside the reply. */
  private at(at: number): number {
    return this.buf[at] as number;
  }

  u8(field: string): number {
    return this.at(this.take(1, field));
  }

  u16le(field: string): number {
    const at = this.take(2, field);
    return this.at(at) | (this.at(at + 1) << 8);
  }

  u16be(field: string): number {
    const at = this.take(2, field);
    return (this.at(at) << 8) | this.at(at + 1);
  }

  i32le(field: string): number {
    const at = this.take(4, field);
    return this.at(at) | (this.at(at + 1) << 8) | (this.at(at + 2) << 16) | (this.at(at + 3) << 24);
  }

  u32le(field: string): number {
    return this.i32le(field) >>> 0;
  }

  f32le(field: string): number {
    return this.buf.readFloatLE(this.take(4, field));
  }

  u64le(field: string): bigint {
    return this.buf.readBigUInt64LE(this.take(8, field));
  }

  u64be(field: string): bigint {
    return this.buf.readBigUInt64BE(this.take(8, field));
  }

  /** `size` bytes as a view (copy it if it must outlive the reply). */
  bytes(size: number, field: string): Buffer {
    const at = this.take(size, field);
    return this.buf.subarray(at, at + size);
  }

  /** A zero-terminated string; the terminator must be inside the reply. */
  cstring(field: string, encoding: 'utf8' | 'latin1' = 'utf8'): string {
    // A loop finds the end of a short string faster than a call into Buffer.indexOf.
    const buf = this.buf;
    const start = this.offset;
    let end = start;
    let ascii = true;
    for (; end < buf.length; end++) {
      const byte = buf[end] as number;
      if (byte === 0) break;
      if (byte >= 0x80) ascii = false;
    }
    if (end === buf.length) throw this.malformed(`${field} is not terminated`);
    this.offset = end + 1;
    if (end === start) return '';
    // ASCII reads the same in UTF-8 and Latin-1, so such strings are cut from one Latin-1
    // decoding of the whole reply: one call into Buffer's C++ per reply, not one per string
    // (a player list holds dozens of names).
    if (ascii || encoding === 'latin1') return this.latin1().slice(start, end);
    return buf.toString(encoding, start, end);
  }

  private latin1(): string {
    this.decoded ??= this.buf.toString('latin1');
    return this.decoded;
  }

  /** Whether the next bytes are `expected`; reads them either way. */
  matches(expected: Uint8Array, field: string): boolean {
    const at = this.take(expected.length, field);
    for (let i = 0; i < expected.length; i++) {
      if (this.buf[at + i] !== expected[i]) return false;
    }
    return true;
  }

  /** Everything not read yet, as a view. */
  rest(): Buffer {
    const at = this.offset;
    this.offset = this.buf.length;
    return this.buf.subarray(at);
  }
}
