/*
 * Teeworlds 0.6 and 0.7 and DDNet (DDraceNetwork) over UDP: the server info the game's
 * server browser reads. Specification: the engines' sources (see teeworlds.parser.ts).
 *
 * One game id answers servers of either version, as nothing in the address says which a
 * server speaks. Every query sends the 0.6 request in DDNet's extended form: DDNet answers
 * with its extended info (long names, every client, over several datagrams when they do
 * not fit in one), a 0.6 server with its plain info, a 0.7 server not at all. For
 * `teeworlds` the 0.7 token request goes out at the same time; when its answer comes back
 * before any 0.6 info, the 0.7 info request follows. The first info to arrive wins: a
 * DDNet server answers both, and its 0.6 info, asked a round trip earlier, comes first.
 * `ddnet` skips the 0.7 request: every DDNet server answers the 0.6 one, and the token
 * request costs 519 bytes.
 *
 * playersOnline counts clients, spectators included (they hold a slot, and the servers
 * count them so too), against the client slots; names are listed players first, then
 * spectators. Only 0.7 marks bots; 0.6 and DDNet cannot say, which reads as 0.
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
import { textOrNull } from '../text.js';
import type { UdpConversation } from '../transport/udp.js';
import {
  FLAG_PASSWORD,
  MAX_MORE_PACKETS,
  NO_TOKEN,
  type TeeworldsClient,
  type TeeworldsInfo,
  type TeeworldsReply,
  decodeReply,
  encodeInfoRequest06,
  encodeInfoRequest07,
  encodeTokenRequest07,
} from './teeworlds.parser.js';

/**
 * Tokens only tell our replies from late ones to an earlier query, so a counter will do
 * (as in quake3.provider.ts); the random start keeps two processes apart.
 */
let tokenCounter = randomInt(2 ** 30);
function nextTokens(): { token: number; clientToken: number } {
  const next = tokenCounter++;
  // 24 bits for the 0.6 request (what DDNet echoes); any 32 bits but FF FF FF FF for 0.7.
  const clientToken = next >>> 0;
  return { token: next & 0xff_ffff, clientToken: clientToken === NO_TOKEN ? 0 : clientToken };
}

/** What one exchange got: the info, its round trip, and DDNet's `iex+` lists by number. */
interface Answer {
  info: TeeworldsInfo;
  infoMs: number;
  more: Map<number, TeeworldsClient[]>;
}

/** Teeworlds (0.6 and 0.7) and DDNet. */
export class TeeworldsProvider extends GameProvider {
  readonly id = 'teeworlds';
  readonly games = gamesOfProvider('teeworlds');
  readonly transport = 'udp';

  protected async attempt(
    target: ResolvedTarget,
    signal: AbortSignal,
    context: AttemptContext,
  ): Promise<ServerStatus> {
    const conversation = await this.services.udp.open(target, signal);
    try {
      const answer = await exchange(conversation, context.game.id !== 'ddnet');
      if (answer.info.format === 'ddnet-extended') {
        await collectMore(conversation, signal, context.deadline, answer);
      }
      return toStatus(answer);
    } finally {
      conversation.close();
    }
  }

  protected override timeoutHint(target: ResolvedTarget, context: AttemptContext): string {
    return queryPortHint(context.game, target.port);
  }
}

/** Sends the requests and waits for the first info that answers them. */
async function exchange(conversation: UdpConversation, ask07: boolean): Promise<Answer> {
  const { token, clientToken } = nextTokens();
  const sentAt = performance.now();
  conversation.send(encodeInfoRequest06(token));
  if (ask07) conversation.send(encodeTokenRequest07(clientToken));
  let sentAt07: number | undefined;
  /** `iex+` datagrams, kept in case they overtook their `iext`. */
  const more = new Map<number, TeeworldsClient[]>();
  for (;;) {
    const reply = decodeReply(await conversation.receive());
    switch (reply.kind) {
      case 'info': {
        const { info } = reply;
        // 0.6 servers echo the token's low byte, DDNet's extended info all 24 bits.
        const echoed = info.format === '0.6' ? token & 0xff : token;
        if (info.token !== echoed) continue;
        return { info, infoMs: performance.now() - sentAt, more };
      }
      case 'more':
        if (reply.token === token) more.set(reply.packet, reply.list);
        continue;
      case 'token':
        if (!ask07 || reply.to !== clientToken || sentAt07 !== undefined) continue;
        sentAt07 = performance.now();
        conversation.send(encodeInfoRequest07(reply.server, clientToken, token));
        continue;
      case 'info7':
        if (sentAt07 === undefined || reply.to !== clientToken || reply.info.token !== token) {
          continue;
        }
        return { info: reply.info, infoMs: performance.now() - sentAt07, more };
      case 'other':
        continue;
    }
  }
}

/** How many clients an answer lists so far. */
function listed({ info, more }: Answer): number {
  let count = info.list.length;
  for (const list of more.values()) count += list.length;
  return count;
}

/**
 * DDNet's `iex+` datagrams, until every client counted is listed, but briefly: they leave
 * the server together with the `iext`, so one still missing by then was lost; the count
 * stands either way, and so does the info when a later datagram is broken (the names are
 * the optional part). Packet numbers are 1 to 63, so at most 63 are kept.
 */
async function collectMore(
  conversation: UdpConversation,
  signal: AbortSignal,
  deadline: number,
  answer: Answer,
): Promise<void> {
  const until = performance.now() + followUpBudgetMs(deadline, answer.infoMs);
  while (listed(answer) < answer.info.clients && answer.more.size < MAX_MORE_PACKETS) {
    const waitMs = Math.floor(until - performance.now());
    if (waitMs < 1) return;
    let datagram: Buffer;
    try {
      datagram = await conversation.receive(waitMs);
    } catch (err) {
      if (signal.aborted) throw err;
      return; // the rest of the list is optional
    }
    let reply: TeeworldsReply;
    try {
      reply = decodeReply(datagram);
    } catch {
      return;
    }
    if (reply.kind === 'more' && reply.token === answer.info.token) {
      answer.more.set(reply.packet, reply.list);
    }
  }
}

function toStatus({ info, infoMs, more }: Answer): ServerStatus {
  // `iex+` lists belong to DDNet's extended info only, in the order of their numbers.
  const rest =
    info.format === 'ddnet-extended' ? [...more.entries()].sort(([x], [y]) => x - y) : [];
  const list = info.list.concat(...rest.map(([, clients]) => clients));
  const names = (clients: TeeworldsClient[]) =>
    clients.map((client) => textOrNull(client.name)).filter((name) => name !== null);
  return {
    latencyMs: Math.round(infoMs),
    playersOnline: info.clients,
    playersMax: info.maxClients,
    bots: Math.min(list.filter((client) => client.bot).length, info.clients),
    playerNames: [
      ...names(list.filter((client) => client.player)),
      ...names(list.filter((client) => !client.player)),
    ],
    name: textOrNull(info.name),
    map: textOrNull(info.map),
    version: textOrNull(info.version),
    gameMode: textOrNull(info.gameType),
    passwordProtected: (info.flags & FLAG_PASSWORD) !== 0,
  };
}
