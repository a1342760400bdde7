/*
 * Minecraft: Bedrock Edition (GameDig id `mbe`) over UDP: one RakNet unconnected ping,
 * one pong. Specification: https://minecraft.wiki/w/Bedrock_Edition_protocol/RakNet
 *
 * GameDig answers `mbe` with its Minecraft meta protocol (Java ping, GameSpy query and
 * Bedrock ping in parallel, waiting for all three); this asks the one protocol Bedrock
 * servers speak. The pong carries no player names.
 */
import { randomBytes, randomInt } from 'node:crypto';
import type { ServerStatus } from '#common';
import { type AttemptContext, GameProvider, type ResolvedTarget } from '../game-provider.js';
import { gamesOfProvider, queryPortHint } from '../games.js';
import {
  type BedrockMotd,
  decodeUnconnectedPong,
  echoesPing,
  encodeUnconnectedPing,
} from './raknet.parser.js';

/** Our GUID in pings: any value works; fixed per process. */
const CLIENT_GUID = randomBytes(8);
/** Ping times only tell our pongs from late ones: a counter from a random start will do. */
let pingTime = randomInt(2 ** 47);

/** Bedrock Edition servers (BDS, Geyser, PocketMine, Nukkit), default port 19132. */
export class MinecraftBedrockProvider extends GameProvider {
  readonly id = 'minecraft-bedrock';
  readonly games = gamesOfProvider('minecraft-bedrock');
  readonly transport = 'udp';

  protected async attempt(target: ResolvedTarget, signal: AbortSignal): Promise<ServerStatus> {
    const conversation = await this.services.udp.open(target, signal);
    try {
      // A time value of its own matches the pong to this ping, not to an earlier one's late pong.
      const ping = encodeUnconnectedPing(pingTime++, CLIENT_GUID);
      const sentAt = performance.now();
      conversation.send(ping);
      for (;;) {
        const datagram = await conversation.receive();
        const pong = decodeUnconnectedPong(datagram);
        if (echoesPing(datagram, ping)) return toStatus(pong.motd, performance.now() - sentAt);
      }
    } finally {
      conversation.close();
    }
  }

  protected override timeoutHint(target: ResolvedTarget, context: AttemptContext): string {
    return queryPortHint(context.game, target.port);
  }
}

function toStatus(motd: BedrockMotd, elapsedMs: number): ServerStatus {
  return {
    latencyMs: Math.round(elapsedMs),
    playersOnline: motd.players,
    playersMax: motd.maxPlayers,
    bots: 0,
    playerNames: [],
    name: motd.motd === '' ? null : motd.motd,
    map: motd.levelName,
    version: motd.version === '' ? null : motd.version,
    gameMode: motd.gameMode,
    passwordProtected: null,
  };
}
