import dgram from 'node:dgram';
import { once } from 'node:events';

/** Where a datagram came from, and how to answer it. */
export interface UdpRequest {
  datagram: Buffer;
  from: dgram.RemoteInfo;
  /** Sends one datagram back to the sender, from the responder's port. */
  reply: (data: Uint8Array) => void;
}

export interface UdpResponderOptions {
  /** 4 (default, 127.0.0.1) or 6 (::1). */
  family?: 4 | 6;
  /** 0 or undefined: a free port chosen by the OS. */
  port?: number;
  /** Address to bind, of `family`; default loopback. Tests keep the default. */
  host?: string;
}

/** A UDP server on loopback that hands each datagram to a handler. */
export interface UdpResponder {
  readonly address: string;
  readonly port: number;
  /** Datagrams received so far. */
  readonly received: number;
  /** Replaces the handler (a test may change behaviour between queries). */
  setHandler(handler: (request: UdpRequest) => void): void;
  stop(): Promise<void>;
}

/** Starts a loopback UDP responder; always stop it in afterAll/afterEach. */
export async function startUdpResponder(
  handler: (request: UdpRequest) => void,
  opts: UdpResponderOptions = {},
): Promise<UdpResponder> {
  const family = opts.family ?? (opts.host?.includes(':') ? 6 : 4);
  const address = opts.host ?? (family === 4 ? '127.0.0.1' : '::1');
  const socket = dgram.createSocket({
    type: family === 4 ? 'udp4' : 'udp6',
    ipv6Only: family === 6,
    recvBufferSize: 4 * 1024 * 1024,
    sendBufferSize: 4 * 1024 * 1024,
  });
  let current = handler;
  let received = 0;
  socket.on('message', (datagram, from) => {
    received++;
    current({
      datagram,
      from,
      reply: (data) => socket.send(data, from.port, from.address),
    });
  });
  socket.bind(opts.port ?? 0, address);
  await once(socket, 'listening');
  return {
    address,
    port: socket.address().port,
    get received() {
      return received;
    },
    setHandler: (next) => {
      current = next;
    },
    stop: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}
