import { once } from 'node:events';
import net, { type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ProviderError } from '../provider.error.js';
import { type FrameDecoder, TcpConnection, withTcpConnection } from './tcp.js';

/** Newline-terminated lines: simple enough to see what the connection does with bytes. */
const line: FrameDecoder<string> = (buf) => {
  const end = buf.indexOf(0x0a);
  return end < 0 ? undefined : { value: buf.toString('utf8', 0, end), size: end + 1 };
};

let server: net.Server | undefined;
const serverSockets = new Set<net.Socket>();

async function listen(onSocket: (socket: net.Socket) => void): Promise<number> {
  server = net.createServer((socket) => {
    serverSockets.add(socket);
    socket.on('error', () => undefined);
    onSocket(socket);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

afterEach(async () => {
  for (const socket of serverSockets) socket.destroy();
  serverSockets.clear();
  if (server?.listening) {
    server.close();
    await once(server, 'close');
  }
  server = undefined;
});

async function failure(promise: Promise<unknown>): Promise<ProviderError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ProviderError);
  return err as ProviderError;
}

const opts = (signal = AbortSignal.timeout(3000), maxBufferedBytes = 1024) => ({
  signal,
  maxBufferedBytes,
});

describe('TcpConnection', () => {
  it('assembles frames from split chunks and keeps the rest for the next read', async () => {
    const port = await listen((socket) => {
      socket.once('data', () => {
        socket.write('hel');
        setTimeout(() => socket.write('lo\nwor'), 10);
        setTimeout(() => socket.write('ld\n'), 20);
      });
    });
    const lines = await withTcpConnection({ address: '127.0.0.1', port }, opts(), async (sut) => {
      expect(sut.connectMs).toBeGreaterThanOrEqual(0);
      sut.write(Buffer.from('go'));
      return [await sut.read(line), await sut.read(line)];
    });
    expect(lines).toEqual(['hello', 'world']);
  });

  it('refuses to buffer more than its cap', async () => {
    const port = await listen((socket) => {
      const pump = () => {
        while (!socket.destroyed && socket.write(Buffer.alloc(4096, 0x61)));
        if (!socket.destroyed) socket.once('drain', pump);
      };
      pump();
    });
    const err = await failure(
      withTcpConnection({ address: '127.0.0.1', port }, opts(undefined, 10_000), (sut) =>
        sut.read(line),
      ),
    );
    expect(err).toMatchObject({ code: 'protocol', message: 'reply exceeds 10000 bytes' });
  });

  it('reports a close before a complete frame as protocol', async () => {
    const port = await listen((socket) => socket.end('no newline'));
    const err = await failure(
      withTcpConnection({ address: '127.0.0.1', port }, opts(), (sut) => sut.read(line)),
    );
    expect(err.code).toBe('protocol');
  });

  it('still returns a frame that arrived before the close', async () => {
    const port = await listen((socket) => socket.end('last words\n'));
    const value = await withTcpConnection({ address: '127.0.0.1', port }, opts(), async (sut) => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      return sut.read(line);
    });
    expect(value).toBe('last words');
  });

  it('turns a decoder failure into a closed connection with its error', async () => {
    const port = await listen((socket) => socket.write('x'));
    const closed = new Promise((resolve) =>
      server?.once('connection', (s: net.Socket) => s.on('close', resolve)),
    );
    const broken: FrameDecoder<never> = () => {
      throw new ProviderError('protocol', 'bad frame');
    };
    const err = await failure(
      withTcpConnection({ address: '127.0.0.1', port }, opts(), (sut) => sut.read(broken)),
    );
    expect(err.message).toBe('bad frame');
    await closed;
  });

  it('lets a read time out alone, leaving the connection usable', async () => {
    const port = await listen((socket) => socket.on('data', () => socket.write('pong\n')));
    const value = await withTcpConnection({ address: '127.0.0.1', port }, opts(), async (sut) => {
      const err = await failure(sut.read(line, AbortSignal.timeout(20)));
      expect(err.code).toBe('timeout');
      sut.write(Buffer.from('ping'));
      return sut.read(line);
    });
    expect(value).toBe('pong');
  });

  it('destroys the socket when the connection signal aborts', async () => {
    let serverSide: net.Socket | undefined;
    const port = await listen((socket) => (serverSide = socket));
    const controller = new AbortController();
    const pending = failure(
      withTcpConnection({ address: '127.0.0.1', port }, opts(controller.signal), (sut) =>
        sut.read(line),
      ),
    );
    await expect.poll(() => serverSide).toBeDefined();
    const closed = once(serverSide!, 'close');
    controller.abort();
    expect((await pending).code).toBe('timeout');
    await closed;
  });

  it('maps a refused connect and an aborted connect', async () => {
    const port = await listen(() => undefined);
    server?.close();
    await once(server!, 'close');
    expect((await failure(TcpConnection.open({ address: '127.0.0.1', port }, opts()))).code).toBe(
      'refused',
    );
    expect(
      (await failure(TcpConnection.open({ address: '127.0.0.1', port }, opts(AbortSignal.abort()))))
        .code,
    ).toBe('timeout');
  });
});
