/*
 * bzip2-compressed A2S split replies for tests, laid out as Valve's "Multi-packet Response
 * Format" describes them (https://developer.valvesoftware.com/wiki/Server_queries): each part
 * FE FF FF FF, the id with its top bit set, u8 total, u8 number, u16 packet size, and on part
 * 0 only the u32 decompressed size and the u32 CRC32 of the decompressed bytes, then a slice
 * of the compressed reply. The compressed bytes below were made once with the reference
 * bzip2 (Python's bz2 module, level 9) from the plain bytes beside them.
 */
import type { A2sPlayerFixture } from './a2s-responder.js';

const hex = (text: string) => Buffer.from(text.replace(/\s+/g, ''), 'hex');

/** The players of {@link PLAYERS_PLAIN}, in order (index = position). */
export const BZIP2_PLAYERS: readonly A2sPlayerFixture[] = [
  { name: 'alpha', score: 12, durationS: 61.5 },
  { name: 'beta', score: -3, durationS: 5.25 },
  { name: 'gamma', score: 0, durationS: 1234 },
];

/** A whole S2A_PLAYER reply (FF FF FF FF 44 ...) for {@link BZIP2_PLAYERS}. */
export const PLAYERS_PLAIN = hex(
  `ffffffff 44 03
   00 616c70686100 0c000000 00007642
   01 6265746100 fdffffff 0000a840
   02 67616d6d6100 00000000 00409a44`,
);

/** {@link PLAYERS_PLAIN}, bzip2-compressed. */
export const PLAYERS_BZIP2 = hex(
  `425a68393141592653595ddaba0f000018c5b0f804540032c64500001000400002a00031468c81a34c8d06
   a9e243c88334f514750348157a66750f0a6b96338349be20ff084f77a8c81a49d8bb9229c28482eed5d078`,
);

/** 1,000,000 zero bytes, bzip2-compressed into 48: what a decompression bomb looks like. */
export const MILLION_ZEROS_BZIP2 = hex(
  `425a683931415926535979d39e480007a8c040c00000020008200030cc09aa69952436a9490f17724538
   509079d39e48`,
);

/** The CRC32 (the zip/Ethernet one) of {@link PLAYERS_PLAIN}, as part 0 declares it. */
export const PLAYERS_CRC32 = 0xb41272a3;

/**
 * Cuts compressed bytes into split datagrams. `size` and `crc32` are what part 0 declares
 * (pass wrong ones to test the checks); `id` gets the compressed flag (its top bit) added.
 */
export function compressedSplitReply(
  compressed: Buffer,
  opts: { id: number; size: number; crc32: number; partBytes: number },
): Buffer[] {
  const slices: Buffer[] = [];
  for (let at = 0; at < compressed.length; at += opts.partBytes) {
    slices.push(compressed.subarray(at, at + opts.partBytes));
  }
  return slices.map((slice, number) => {
    const head = Buffer.alloc(number === 0 ? 20 : 12);
    head.writeInt32LE(-2, 0);
    head.writeUInt32LE((opts.id | 0x80000000) >>> 0, 4);
    head.writeUInt8(slices.length, 8);
    head.writeUInt8(number, 9);
    head.writeUInt16LE(1248, 10);
    if (number === 0) {
      head.writeUInt32LE(opts.size, 12);
      head.writeUInt32LE(opts.crc32, 16);
    }
    return Buffer.concat([head, slice]);
  });
}
