/*
 * The part of GameDig 5's API the adapter uses (the package ships no types).
 * https://github.com/gamedig/node-gamedig#usage
 */
declare module 'gamedig' {
  export interface GameDigQueryOptions {
    /** A game id of lib/games.js, or `protocol-<name>` to force a protocol. */
    type: string;
    host: string;
    /** An IP address: GameDig then resolves nothing itself. */
    address?: string;
    port?: number;
    givenPortOnly?: boolean;
    maxRetries?: number;
    socketTimeout?: number;
    attemptTimeout?: number;
    requestRules?: boolean;
    requestPlayers?: boolean;
    stripColors?: boolean;
    portCache?: boolean;
  }

  /** What GameDig calls with each datagram; it drops those not from its own address and port. */
  export type GameDigPacketCallback = (address: string, port: number, datagram: Buffer) => void;

  /** The object GameDig's UDP protocols send and listen through (5.x: lib/GlobalUdpSocket.js). */
  export interface GameDigUdpSocket {
    send(buffer: Buffer, address: string, port: number, debug?: boolean): Promise<void>;
    addCallback(callback: GameDigPacketCallback, debug?: boolean): void;
    removeCallback(callback: GameDigPacketCallback): void;
  }

  export class GameDig {
    constructor(options?: { listenUdpPort?: number });
    /**
     * Not in GameDig's documentation (lib/gamedig.js, lib/QueryRunner.js of 5.x): the runner
     * whose `udpSocket` every UDP protocol sends and listens through.
     */
    queryRunner: { udpSocket: GameDigUdpSocket };
    /** Resolves with GameDig's result object; rejects with "Failed all N attempts". */
    query(options: GameDigQueryOptions): Promise<unknown>;
  }
}
