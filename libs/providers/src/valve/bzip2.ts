/*
 * The bzip2-compressed split replies of some Source engines (Valve's "Multi-packet Response
 * Format": the split id's top bit set, and the first part giving the decompressed size and a
 * CRC32 of the decompressed bytes). https://developer.valvesoftware.com/wiki/Server_queries
 *
 * seek-bzip decodes, one byte at a time into a sink of ours that holds exactly the size the
 * server declared: a reply that would decompress to more stops at the first byte too many,
 * so a small hostile reply cannot make us inflate megabytes (or spend the time to).
 */
import { crc32 } from 'node:zlib';
import Bunzip from 'seek-bzip';
import { ProviderError } from '../provider.error.js';

/** What the first part of a compressed reply says the whole decompresses to. */
export interface Decompressed {
  size: number;
  crc32: number;
}

function malformed(message: string): ProviderError {
  return new ProviderError('protocol', `A2S: bzip2-compressed reply ${message}`);
}

/** Thrown by the sink to stop the decoder; never leaves this module. */
const TOO_LONG = new Error('more bytes than declared');

/**
 * Decompresses a joined compressed reply and checks it against what the server declared.
 * @throws ProviderError('protocol') when the declared size exceeds `maxBytes`, the data is
 *   not bzip2, it decompresses to another size than declared, or the CRC32 differs.
 */
export function decompressBzip2(
  compressed: Buffer,
  declared: Decompressed,
  maxBytes: number,
): Buffer {
  if (declared.size > maxBytes) {
    throw malformed(`says it holds ${declared.size} bytes, more than the ${maxBytes} allowed`);
  }
  const out = Buffer.alloc(declared.size);
  let written = 0;
  const sink = {
    writeByte(byte: number): void {
      if (written === out.length) throw TOO_LONG;
      out[written++] = byte;
    },
  };
  try {
    Bunzip.decode(compressed, sink);
  } catch (err) {
    if (err === TOO_LONG)
      throw malformed(`decompresses past the ${declared.size} bytes it declares`);
    throw malformed(`is not valid bzip2 (${err instanceof Error ? err.message : String(err)})`);
  }
  if (written !== declared.size) {
    throw malformed(`decompresses to ${written} bytes, not the ${declared.size} it declares`);
  }
  if (crc32(out) !== declared.crc32) throw malformed('fails its CRC32 check');
  return out;
}
