import { ProviderError } from './provider.error.js';

/**
 * A cursor over an untrusted reply. Every read checks the bytes are there first and
 * throws ProviderError('protocol') naming the reply and the field otherwise, so a parser
 * built on it cannot read out of bounds, loop, or allocate more than the reply holds.
 */
export class ByteReader {
  private offset = 0;

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

  u8(field: string): number {
    return this.buf.readUInt8(this.take(1, field));
  }

  u16le(field: string): number {
    return this.buf.readUInt16LE(this.take(2, field));
  }

  u16be(field: string): number {
    return this.buf.readUInt16BE(this.take(2, field));
  }

  i32le(field: string): number {
    return this.buf.readInt32LE(this.take(4, field));
  }

  u32le(field: string): number {
    return this.buf.readUInt32LE(this.take(4, field));
  }

  f32le(field: string): number {
    return this.buf.readFloatLE(this.take(4, field));
  }

  u64le(field: string): bigint {
    return this.buf.readBigUInt64LE(this.take(8, field));
  }

  /** `size` bytes as a view (copy it if it must outlive the reply). */
  bytes(size: number, field: string): Buffer {
    const at = this.take(size, field);
    return this.buf.subarray(at, at + size);
  }

  /** A zero-terminated string; the terminator must be inside the reply. */
  cstring(field: string, encoding: BufferEncoding = 'utf8'): string {
    const end = this.buf.indexOf(0, this.offset);
    if (end < 0) throw this.malformed(`${field} is not terminated`);
    const text = this.buf.toString(encoding, this.offset, end);
    this.offset = end + 1;
    return text;
  }

  /** Everything not read yet, as a view. */
  rest(): Buffer {
    const at = this.offset;
    this.offset = this.buf.length;
    return this.buf.subarray(at);
  }
}
