/*
 * Valve server queries over UDP (A2S): Source and GoldSrc servers, and every game built on
 * them (Counter-Strike 2, Rust, ARK, Valheim, Garry's Mod, TF2, ...).
 * Specification: https://developer.valvesoftware.com/wiki/Server_queries
 *
 * A2S_INFO and A2S_PLAYER go out together, carrying the server's last challenge if one is
 * known, else the player request asks for one. Each new challenge that comes back is used
 * to resend whichever request is still unanswered, so a first query to a server that
 * demands a challenge for A2S_INFO (since late 2020) costs two round trips, and later polls
 * one while the challenge holds. The player list is optional: some
 * servers never send it (Conan Exiles, CS2 without a plugin), so once the info is in hand
 * the wait for it is short.
 */
import type { ServerStatus } from '#common';
import {
  type AttemptContext,
  type GameDefinition,
  GameProvider,
  type ResolvedTarget,
  followUpBudgetMs,
} from '../game-provider.js';
import { gamesOfProvider, queryPortHint } from '../games.js';
import { ProviderError } from '../provider.error.js';
import { cleanText, textOrNull } from '../text.js';
import type { EndpointKey, UdpConversation } from '../transport/udp.js';
import { type SplitFormat, SplitAssembler, parseA2sPacket } from './a2s-packet.parser.js';
import {
  APP_ID,
  type A2sInfo,
  NO_CHALLENGE,
  S2A_INFO_GOLDSRC,
  S2A_INFO_SOURCE,
  S2A_PLAYER,
  S2C_CHALLENGE,
  encodeInfoRequest,
  encodePlayerRequest,
  mergeInfo,
  messageType,
  parseChallenge,
  parseInfo,
  parsePlayers,
  rustCounts,
} from './a2s.parser.js';

/** Distinct challenges accepted in one query before the server is deemed broken. */
const MAX_CHALLENGES = 4;
/** 2006-era engines whose split header lacks the size field (protocol 7). */
const NO_SIZE_APP_IDS = new Set([215, 17550, 17700, 240]);

/** What one exchange learned: the info, the player message when it came, the challenge. */
interface Replies {
  info: A2sInfo;
  infoMs: number;
  playersMessage: Buffer | undefined;
  challenge: Buffer | undefined;
}

/** Challenges kept at most (one per server polled; older ones are dropped first). */
const MAX_KNOWN_CHALLENGES = 100_000;
const PLAYER_CHALLENGE_REQUEST = encodePlayerRequest(NO_CHALLENGE);

/** A2S for every GameDig game of protocol `valve` (query port default per game). */
export class ValveProvider extends GameProvider {
  readonly id = 'valve';
  readonly games = gamesOfProvider('valve');
  readonly transport = 'udp';
  /**
   * The last challenge each server gave, by ip:port. A server's challenge stays valid for
   * a while, so the next poll sends it right away: one round trip instead of two. A stale
   * one costs nothing extra: the server answers with a new challenge, as without it.
   */
  private readonly challenges = new Map<EndpointKey, Buffer>();

  protected async attempt(
    target: ResolvedTarget,
    signal: AbortSignal,
    context: AttemptContext,
  ): Promise<ServerStatus> {
    const conversation = await this.services.udp.open(target, signal);
    try {
      // Read once the conversation is ours: an earlier query to this server may just have learnt it.
      const key = conversation.serverKey;
      const known = this.challenges.get(key);
      const replies = await exchange(conversation, signal, context.deadline, known);
      // The map is only written when the challenge changed: a poll that reused it costs one read.
      if (replies.challenge && replies.challenge !== known) {
        this.rememberChallenge(key, replies.challenge);
      }
      return toStatus(replies, context.game);
    } finally {
      conversation.close();
    }
  }

  private rememberChallenge(key: EndpointKey, challenge: Buffer): void {
    // Deleted first so that a renewed entry moves to the end, away from the eviction.
    this.challenges.delete(key);
    this.challenges.set(key, challenge);
    if (this.challenges.size > MAX_KNOWN_CHALLENGES) {
      const oldest = this.challenges.keys().next();
      if (!oldest.done) this.challenges.delete(oldest.value);
    }
  }

  protected override timeoutHint(target: ResolvedTarget, context: AttemptContext): string {
    return queryPortHint(context.game, target.port);
  }
}

function splitFormatOf(info: A2sInfo): SplitFormat {
  if (info.format === 'goldsrc' || info.protocol === 48) return 'goldsrc';
  if (info.protocol === 7 && NO_SIZE_APP_IDS.has(info.appId)) return 'source-no-size';
  return 'source';
}

async function exchange(
  conversation: UdpConversation,
  signal: AbortSignal,
  deadline: number,
  known: Buffer | undefined,
): Promise<Replies> {
  const assembler = new SplitAssembler();
  const sentAt = performance.now();
  let format: SplitFormat = 'source';
  /** The challenge the requests in flight carry. */
  let sentWith = known;
  let challenges = 0;
  let got: { info: A2sInfo; infoMs: number } | undefined;
  let playersMessage: Buffer | undefined;
  /** Once the info is in, when to stop waiting for the optional player list. */
  let playersUntil: number | undefined;
  conversation.send(encodeInfoRequest(known));
  conversation.send(known ? encodePlayerRequest(known) : PLAYER_CHALLENGE_REQUEST);
  while (!got || !playersMessage) {
    let datagram: Buffer;
    try {
      const waitMs =
        playersUntil === undefined ? undefined : Math.max(0, playersUntil - performance.now());
      datagram = await conversation.receive(waitMs);
    } catch (err) {
      if (got && !signal.aborted) break; // the player list is optional
      throw err;
    }
    const packet = parseA2sPacket(datagram, format);
    if (packet.kind === 'stray') continue;
    const message = packet.kind === 'single' ? packet.message : assembler.add(packet);
    if (!message) continue;
    const type = messageType(message);
    if (type === S2C_CHALLENGE) {
      const next = parseChallenge(message);
      // The same challenge again answers the other request of this round.
      if (sentWith?.equals(next)) continue;
      if (++challenges > MAX_CHALLENGES) {
        throw new ProviderError('protocol', 'A2S: the server keeps sending new challenges');
      }
      sentWith = next;
      if (!got) conversation.send(encodeInfoRequest(next));
      if (!playersMessage) conversation.send(encodePlayerRequest(next));
    } else if (type === S2A_INFO_SOURCE || type === S2A_INFO_GOLDSRC) {
      const info = parseInfo(message);
      if (got) {
        // A second form of the same reply: whatever it carries that the first lacked.
        got = { ...got, info: mergeInfo(got.info, info) };
        continue;
      }
      got = { info, infoMs: performance.now() - sentAt };
      format = splitFormatOf(info);
      const budgetMs = followUpBudgetMs(deadline, got.infoMs);
      if (budgetMs < 1) break;
      playersUntil = performance.now() + budgetMs;
    } else if (type === S2A_PLAYER) {
      // A view of a datagram (or of a joined split reply) that nothing else holds or reuses.
      playersMessage ??= message;
    } else {
      throw new ProviderError(
        'protocol',
        `A2S: unexpected reply type 0x${(type ?? 0).toString(16)}`,
      );
    }
  }
  return { ...got, playersMessage, challenge: sentWith };
}

function toStatus({ info, infoMs, playersMessage }: Replies, game: GameDefinition): ServerStatus {
  const players = playersMessage ? parsePlayers(playersMessage, info.appId) : [];
  const names = players
    .map((player) => cleanText(player.name))
    // CS:GO lists a fake "Max Players" bot unless host_players_show is 2.
    .filter((name) => name !== '' && !(info.appId === APP_ID.csgo && name === 'Max Players'));
  const rust = info.appId === APP_ID.rust || game.id === 'rust' ? rustCounts(info.keywords) : {};
  return {
    latencyMs: Math.round(infoMs),
    playersOnline: rust.players ?? info.players,
    playersMax: rust.maxPlayers ?? info.maxPlayers,
    bots: info.bots,
    playerNames: names,
    name: textOrNull(info.name),
    map: textOrNull(info.map),
    version: textOrNull(info.version ?? undefined),
    gameMode: null,
    passwordProtected: info.passwordProtected,
  };
}
