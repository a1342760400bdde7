/*
 * The part of seek-bzip 2's API the A2S provider uses (the package ships no types).
 * https://github.com/cscott/seek-bzip#documentation
 */
declare module 'seek-bzip' {
  /** Where decoded bytes go, one at a time. */
  export interface ByteSink {
    writeByte(byte: number): void;
  }

  const Bunzip: {
    /**
     * Decodes one bzip2 stream. With a sink as `output`, every decoded byte is written to it
     * and nothing is returned; a throw from the sink stops the decoding.
     * @throws TypeError for data that is not bzip2 or fails its own block or stream CRC.
     */
    decode(input: Uint8Array, output: ByteSink): undefined;
  };
  export default Bunzip;
}
