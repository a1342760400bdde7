/*
 * Quake III Arena engine games over UDP: one `getstatus`, one `statusResponse`.
 * Specification: id Tech 3 out-of-band messages (ioquake3 code/server/sv_main.c).
 *
 * The player count is the number of client lines (the status lists every client, bots
 * included; there is no separate count field), bots are the clients with ping 0.
 */
import { randomInt } from 'node:crypto';
import type { ServerStatus } from '#common';
import { type AttemptContext, GameProvider, type ResolvedTarget } from '../game-provider.js';
import { gamesOfProvider, queryPortHint } from '../games.js';
import {
  type Quake3Status,
  decodeStatusResponse,
  encodeGetStatus,
  isBot,
  quakeText,
} from './quake3.parser.js';
import { parseDecimal } from '../text.js';

/** g_gametype names of Quake III Arena; OpenArena adds its own after 4. */
const Q3_GAME_TYPES = [
  'Free For All',
  'Tournament',
  'Single Player',
  'Team Deathmatch',
  'Capture the Flag',
];
const OPENARENA_GAME_TYPES = [
  ...Q3_GAME_TYPES,
  'One Flag CTF',
  'Overload',
  'Harvester',
  'Elimination',
  'CTF Elimination',
  'Last Man Standing',
  'Double Domination',
  'Domination',
];

/**
 * Challenges only tell our replies from late ones, so a counter does (a random number per
 * query would cost more CPU than the rest of the query); the random start keeps two
 * processes apart. Written in decimal: a small integer's decimal form is V8's fast path.
 */
let challengeCounter = randomInt(2 ** 30);
const nextChallenge = () => String(challengeCounter++);

/** Quake 3 family: every GameDig game of protocol `quake3` (OpenArena, Urban Terror, CoD, ...). */
export class Quake3Provider extends GameProvider {
  readonly id = 'quake3';
  readonly games = gamesOfProvider('quake3');
  readonly transport = 'udp';

  protected async attempt(target: ResolvedTarget, signal: AbortSignal): Promise<ServerStatus> {
    const conversation = await this.services.udp.open(target, signal);
    try {
      const challenge = nextChallenge();
      const sentAt = performance.now();
      conversation.send(encodeGetStatus(challenge));
      for (;;) {
        const status = decodeStatusResponse(await conversation.receive());
        // A reply echoing another challenge answers an earlier request: wait for ours.
        const echoed = status.info.get('challenge');
        if (echoed === undefined || echoed === challenge) {
          return toStatus(status, performance.now() - sentAt);
        }
      }
    } finally {
      conversation.close();
    }
  }

  protected override timeoutHint(target: ResolvedTarget, context: AttemptContext): string {
    return queryPortHint(context.game, target.port);
  }
}

function count(text: string | undefined): number | undefined {
  return parseDecimal(text, false, 6);
}

function gameMode(info: Map<string, string>): string | null {
  const raw = info.get('g_gametype') ?? info.get('gametype');
  if (raw === undefined) return null;
  const index = count(raw);
  const gameName = info.get('gamename')?.toLowerCase();
  const names =
    gameName === 'baseoa' ? OPENARENA_GAME_TYPES : gameName === 'baseq3' ? Q3_GAME_TYPES : [];
  return (index === undefined ? undefined : names[index]) ?? quakeText(raw);
}

function toStatus({ info, players }: Quake3Status, elapsedMs: number): ServerStatus {
  const needPass = info.get('g_needpass');
  return {
    latencyMs: Math.round(elapsedMs),
    playersOnline: players.length,
    playersMax: count(info.get('sv_maxclients')) ?? count(info.get('maxclients')) ?? 0,
    bots: players.filter(isBot).length,
    playerNames: players
      .map((player) => quakeText(player.name))
      .filter((n): n is string => n !== null),
    name: quakeText(info.get('sv_hostname') ?? info.get('hostname')),
    map: quakeText(info.get('mapname')),
    version: quakeText(info.get('version') ?? info.get('shortversion')),
    gameMode: gameMode(info),
    passwordProtected: needPass === undefined ? null : needPass.trim() === '1',
  };
}
