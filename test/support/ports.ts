import dgram from 'node:dgram';
import { once } from 'node:events';
import net from 'node:net';

/**
 * A loopback port the OS handed out and took back, free for TCP and for UDP right then. Tests
 * never use a fixed port: two runs on one machine (or anything else listening) would collide.
 *
 * Two uses. A process the test starts binds it next (redis-server, a poller's METRICS_PORT,
 * demo-games), where port 0 cannot be handed over. Or it is a port where nobody answers: it is
 * used closed rather than held by a silent socket, because a closed port refuses at once, as
 * an offline game server does, and tests check for `refused`; a held port would only time
 * out. The kernel picks ports at random in its ephemeral range: that another process gets the
 * same one in the moment between is unlikely, and would fail the test, not pass it.
 */
export async function freePort(): Promise<number> {
  for (;;) {
    const tcp = net.createServer().listen(0, '127.0.0.1');
    await once(tcp, 'listening');
    const { port } = tcp.address() as net.AddressInfo;
    // The kernel picks TCP ports without looking at UDP: a UDP server needs the port free too.
    const udp = dgram.createSocket('udp4');
    const udpFree = await new Promise<boolean>((done) => {
      udp.once('error', () => done(false));
      udp.bind(port, '127.0.0.1', () => done(true));
    });
    if (udpFree) await new Promise<void>((done) => udp.close(() => done()));
    tcp.close();
    await once(tcp, 'close');
    if (udpFree) return port;
  }
}
