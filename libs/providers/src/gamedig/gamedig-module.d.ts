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

  export class GameDig {
    constructor(options?: { listenUdpPort?: number });
    /** Resolves with GameDig's result object; rejects with "Failed all N attempts". */
    query(options: GameDigQueryOptions): Promise<unknown>;
  }
}
