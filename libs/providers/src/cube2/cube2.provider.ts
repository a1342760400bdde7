/*
 * Cube 2: Sauerbraten over UDP, on the info port (game port + 1).
 * Specification: the Sauerbraten source (see cube2.parser.ts).
 *
 * The server info request and the extinfo player-list request go out together. The info
 * reply is the status; the player list (one datagram of client numbers, one per client) is
 * optional: a server may lack extinfo or lose a datagram, so once the info is in hand the
 * wait for it is short, and what came by then is used.
 *
 * Counts are the server's own: its client count takes in spectators and leaves out bots
 * (they hold no client slot), so `bots` is how many bots the extinfo list names besides,
 * and the names are those of the counted clients.
 */
import { randomInt } from 'node:crypto';
import type { ServerStatus } from '#common';
import {
  type AttemptContext,
  GameProvider,
  type ResolvedTarget,
  followUpBudgetMs,
} from '../game-provider.js';
import { gamesOfProvider, queryPortHint } from '../games.js';
import {
  type Cube2ExtinfoReply,
  type Cube2Info,
  type Cube2Player,
  MASTER_MODE_PASSWORD,
  cubeText,
  decodeExtinfoReply,
  decodeInfoReply,
  encodeInfoRequest,
  encodePlayerStatsRequest,
  gameModeName,
  isBotNumber,
  repliesTo,
} from './cube2.parser.js';

/** Player records kept at most: upstream has 128 client numbers and 32 bots. */
const MAX_PLAYER_RECORDS = 512;

/**
 * Tags only tell our replies from late ones, so a counter does; the random start keeps
 * two processes apart. Never 0: that would turn the info request into an extinfo one.
 */
let tagCounter = randomInt(1, 2 ** 31);
function nextTag(): number {
  const tag = tagCounter;
  tagCounter = tagCounter >= 0x7fffffff ? 1 : tagCounter + 1;
  return tag;
}

/** The extinfo player list as its datagrams come in, in any order. */
class PlayerList {
  /** The client numbers the server listed, once that datagram came. */
  clientNumbers: number[] | undefined;
  readonly players = new Map<number, Cube2Player>();
  /** The server said it has no list for us (an error, or no extinfo at all). */
  refused = false;

  add(reply: Cube2ExtinfoReply): void {
    switch (reply.kind) {
      case 'clients':
        this.clientNumbers ??= reply.clientNumbers;
        break;
      case 'player':
        if (this.players.size < MAX_PLAYER_RECORDS) {
          this.players.set(reply.player.clientNumber, reply.player);
        }
        break;
      case 'error':
      case 'unsupported':
        this.refused = true;
        break;
    }
  }

  get complete(): boolean {
    if (this.refused) return true;
    return this.clientNumbers?.every((n) => this.players.has(n)) ?? false;
  }

  /** The records in the server's order when it gave one, else as they came. */
  listed(): Cube2Player[] {
    if (!this.clientNumbers) return [...this.players.values()];
    return this.clientNumbers
      .map((n) => this.players.get(n))
      .filter((p): p is Cube2Player => p !== undefined);
  }

  bots(): number {
    const numbers = this.clientNumbers ?? [...this.players.keys()];
    return new Set(numbers.filter(isBotNumber)).size;
  }
}

/** Cube 2: Sauerbraten (game id `sauerbraten`), queried on the info port. */
export class Cube2Provider extends GameProvider {
  readonly id = 'cube2';
  readonly games = gamesOfProvider('cube2');
  readonly transport = 'udp';

  protected async attempt(
    target: ResolvedTarget,
    signal: AbortSignal,
    context: AttemptContext,
  ): Promise<ServerStatus> {
    const conversation = await this.services.udp.open(target, signal);
    try {
      const tag = nextTag();
      const infoRequest = encodeInfoRequest(tag);
      const playersRequest = encodePlayerStatsRequest(tag);
      const list = new PlayerList();
      let got: { info: Cube2Info; infoMs: number } | undefined;
      /** Once the info is in, when to stop waiting for the optional player list. */
      let listUntil: number | undefined;
      const sentAt = performance.now();
      conversation.send(infoRequest);
      conversation.send(playersRequest);
      while (!got || !list.complete) {
        let datagram: Buffer;
        try {
          const waitMs =
            listUntil === undefined ? undefined : Math.max(0, listUntil - performance.now());
          datagram = await conversation.receive(waitMs);
        } catch (err) {
          if (got && !signal.aborted) break; // the player list is optional
          throw err;
        }
        if (repliesTo(datagram, infoRequest)) {
          if (got) continue;
          const info = decodeInfoReply(datagram, infoRequest.length);
          got = { info, infoMs: performance.now() - sentAt };
          // No client, no list: a bot needs a connected client to run it.
          if (got.info.players === 0) break;
          const budgetMs = followUpBudgetMs(context.deadline, got.infoMs);
          if (budgetMs < 1) break;
          listUntil = performance.now() + budgetMs;
        } else if (repliesTo(datagram, playersRequest)) {
          list.add(decodeExtinfoReply(datagram, playersRequest.length));
        }
        // Anything else answers another query's tag: a late reply, skipped.
      }
      return toStatus(got.info, got.infoMs, got.info.players === 0 ? undefined : list);
    } finally {
      conversation.close();
    }
  }

  protected override timeoutHint(target: ResolvedTarget, context: AttemptContext): string {
    return queryPortHint(context.game, target.port);
  }
}

function toStatus(info: Cube2Info, infoMs: number, list: PlayerList | undefined): ServerStatus {
  const humans = list?.listed().filter((p) => !isBotNumber(p.clientNumber)) ?? [];
  return {
    latencyMs: Math.round(infoMs),
    playersOnline: info.players,
    playersMax: info.maxPlayers ?? 0,
    // A status counts bots as a number: without the list, none are known (as with GameDig).
    bots: list?.bots() ?? 0,
    playerNames: humans.map((p) => cubeText(p.name)).filter((n): n is string => n !== null),
    name: cubeText(info.description),
    map: cubeText(info.map),
    // The source names no release per protocol number, so the number is what there is.
    version: info.protocol === undefined ? null : `protocol ${info.protocol}`,
    gameMode: info.mode === undefined ? null : (gameModeName(info.mode) ?? String(info.mode)),
    passwordProtected:
      info.masterMode === undefined ? null : info.masterMode === MASTER_MODE_PASSWORD,
  };
}
