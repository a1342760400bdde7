/*
 * A small authoritative DNS server on 127.0.0.1 for tests (RFC 1035 wire format, SRV from
 * RFC 2782): it answers A, AAAA and SRV questions from a table, NXDOMAIN for names it does
 * not know, and counts the questions, so caching and SRV handling are tested without any
 * resolver outside the machine.
 */
import net from 'node:net';
import { type UdpResponder, startUdpResponder } from './udp-responder.js';

export interface SrvRecord {
  priority: number;
  weight: number;
  port: number;
  target: string;
}

/** Records of one name. */
export interface DnsName {
  a?: string[];
  aaaa?: string[];
  srv?: SrvRecord[];
  /** Seconds; default 60. */
  ttl?: number;
}

export interface DnsResponder {
  /** `127.0.0.1:<port>`, for DnsCache's `servers`. */
  readonly server: string;
  /** Questions asked so far, as `TYPE name`. */
  readonly questions: string[];
  setZone(zone: Record<string, DnsName>): void;
  stop(): Promise<void>;
}

const TYPE = { A: 1, AAAA: 28, SRV: 33 } as const;
const TYPE_NAMES: Record<number, string> = { 1: 'A', 28: 'AAAA', 33: 'SRV' };

function encodeName(name: string): Buffer {
  const labels = name.replace(/\.$/u, '').split('.').filter(Boolean);
  return Buffer.concat([
    ...labels.map((label) => Buffer.concat([Buffer.from([label.length]), Buffer.from(label)])),
    Buffer.from([0]),
  ]);
}

function ipv6Bytes(address: string): Buffer {
  const [head = '', tail] = address.split('::');
  const groups = (part: string) => (part === '' ? [] : part.split(':'));
  const missing = 8 - groups(head).length - groups(tail ?? '').length;
  const all = [
    ...groups(head),
    ...Array<string>(tail === undefined ? 0 : missing).fill('0'),
    ...groups(tail ?? ''),
  ];
  const buf = Buffer.alloc(16);
  all.forEach((group, i) => buf.writeUInt16BE(parseInt(group, 16), i * 2));
  return buf;
}

function u16(value: number): Buffer {
  const buf = Buffer.alloc(2);
  buf.writeUInt16BE(value);
  return buf;
}

function answer(type: number, ttl: number, rdata: Buffer): Buffer {
  const head = Buffer.alloc(10);
  head.writeUInt16BE(type, 0);
  head.writeUInt16BE(1, 2); // class IN
  head.writeUInt32BE(ttl, 4);
  head.writeUInt16BE(rdata.length, 8);
  // 0xC00C points at the question's name, right after the 12-byte header.
  return Buffer.concat([Buffer.from([0xc0, 0x0c]), head, rdata]);
}

function rdataOf(type: number, record: DnsName): Buffer[] {
  if (type === TYPE.A) return (record.a ?? []).map((ip) => Buffer.from(ip.split('.').map(Number)));
  if (type === TYPE.AAAA) return (record.aaaa ?? []).filter((ip) => net.isIPv6(ip)).map(ipv6Bytes);
  if (type === TYPE.SRV) {
    return (record.srv ?? []).map((srv) =>
      Buffer.concat([u16(srv.priority), u16(srv.weight), u16(srv.port), encodeName(srv.target)]),
    );
  }
  return [];
}

/** Starts the DNS server; always stop it in afterAll/afterEach. */
export async function startDnsResponder(initial: Record<string, DnsName>): Promise<DnsResponder> {
  let zone = initial;
  const questions: string[] = [];
  const udp: UdpResponder = await startUdpResponder(({ datagram, reply }) => {
    if (datagram.length < 17) return;
    const labels: string[] = [];
    let at = 12;
    while (at < datagram.length && datagram[at] !== 0) {
      const length = datagram[at] ?? 0;
      labels.push(datagram.toString('latin1', at + 1, at + 1 + length));
      at += 1 + length;
    }
    const questionEnd = at + 5;
    if (questionEnd > datagram.length) return;
    const type = datagram.readUInt16BE(at + 1);
    const name = labels.join('.').toLowerCase();
    questions.push(`${TYPE_NAMES[type] ?? type} ${name}`);
    const record = zone[name];
    const answers = record
      ? rdataOf(type, record).map((r) => answer(type, record.ttl ?? 60, r))
      : [];
    const header = Buffer.alloc(12);
    datagram.copy(header, 0, 0, 2); // id
    header.writeUInt16BE(0x8180 | (record ? 0 : 3), 2); // response, recursion; NXDOMAIN if unknown
    header.writeUInt16BE(1, 4);
    header.writeUInt16BE(answers.length, 6);
    reply(Buffer.concat([header, datagram.subarray(12, questionEnd), ...answers]));
  });
  return {
    server: `127.0.0.1:${udp.port}`,
    questions,
    setZone: (next) => {
      zone = next;
    },
    stop: () => udp.stop(),
  };
}
