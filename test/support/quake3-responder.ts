/*
 * A Quake 3 `getstatus` responder for tests and benchmarks (the real server, OpenArena,
 * rate-limits status requests to a few per second per address, as ioquake3 does). It
 * answers the way ioquake3's SVC_Status does: the info string with the request's challenge
 * echoed, then one `score ping "name"` line per client.
 */
import { type UdpRequest, type UdpResponder, startUdpResponder } from './udp-responder.js';

export interface Quake3Fixture {
  /** Server cvars, sent in this order (colour codes allowed). */
  info: Record<string, string>;
  players: { score: number; ping: number; name: string }[];
  /** Answer with another challenge first, as a late reply to an earlier request would. */
  staleFirst?: boolean;
}

const OOB = Buffer.from([0xff, 0xff, 0xff, 0xff]);

/** A statusResponse datagram for `fixture`, echoing `challenge` when given. */
export function statusResponse(fixture: Quake3Fixture, challenge?: string): Buffer {
  const info = { ...fixture.info, ...(challenge === undefined ? {} : { challenge }) };
  const infoString = Object.entries(info)
    .map(([key, value]) => `\\${key}\\${value}`)
    .join('');
  const lines = fixture.players.map((p) => `${p.score} ${p.ping} "${p.name}"\n`).join('');
  return Buffer.concat([OOB, Buffer.from(`statusResponse\n${infoString}\n${lines}`, 'latin1')]);
}

/**
 * The getstatus handler of a responder answering as `fixture`; a test may swap it in with
 * `setHandler` (e.g. to bring a silenced server back, or to answer late).
 */
export function quake3Handler(fixture: Quake3Fixture): (request: UdpRequest) => void {
  return ({ datagram, reply }) => {
    const text = datagram.toString('latin1');
    const match = /^\xff\xff\xff\xffgetstatus ?([^\n]*)\n?$/u.exec(text);
    if (!match) return;
    const challenge = match[1] === '' ? undefined : match[1];
    if (fixture.staleFirst) reply(statusResponse(fixture, 'stale'));
    reply(statusResponse(fixture, challenge));
  };
}

/** Starts a getstatus responder on 127.0.0.1; always stop it in afterAll/afterEach. */
export function startQuake3Responder(fixture: Quake3Fixture, port = 0): Promise<UdpResponder> {
  return startUdpResponder(quake3Handler(fixture), { port });
}
