/*
 * Helpers for property tests of the parsers: whatever bytes a server sends, the only thing
 * allowed to escape a parser is a ProviderError. Parsers are synchronous, so "never hangs"
 * means every call returns; vitest's test timeout catches one that would not.
 */
import fc from 'fast-check';
import { ProviderError } from '#providers';

/** Runs `fn`; a ProviderError is a clean rejection, anything else fails the property. */
export function parsedOrRejected<T>(fn: () => T): T | ProviderError {
  try {
    return fn();
  } catch (err) {
    if (err instanceof ProviderError) return err;
    throw err;
  }
}

export type Mutation =
  | { kind: 'set'; at: number; byte: number }
  | { kind: 'cut'; at: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array };

/** One change to a valid reply: a byte overwritten, the tail cut off, or bytes inserted. */
export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({
    kind: fc.constant('set' as const),
    at: fc.nat(),
    byte: fc.integer({ min: 0, max: 255 }),
  }),
  fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }),
  }),
);

/** 1 to 4 mutations. */
export const mutations = fc.array(mutation, { minLength: 1, maxLength: 4 });

/** Applies mutations to a copy of `bytes`. */
export function mutate(bytes: Uint8Array, changes: readonly Mutation[]): Buffer {
  let out = Buffer.from(bytes);
  for (const m of changes) {
    if (out.length === 0) break;
    const at = m.at % out.length;
    switch (m.kind) {
      case 'set':
        out[at] = m.byte;
        break;
      case 'cut':
        out = out.subarray(0, at);
        break;
      case 'insert':
        out = Buffer.concat([out.subarray(0, at), m.bytes, out.subarray(at)]);
        break;
    }
  }
  return out;
}

/** Random datagrams up to one Ethernet frame, weighted towards short ones. */
export const datagram = fc.oneof(
  fc.uint8Array({ maxLength: 64 }),
  fc.uint8Array({ maxLength: 1500 }),
);

/** Bytes that start with `prefix` and go on at random: gets parsers past their first check. */
export function prefixed(prefix: Uint8Array, maxLength = 600): fc.Arbitrary<Buffer> {
  return fc.uint8Array({ maxLength }).map((rest) => Buffer.concat([prefix, rest]));
}
