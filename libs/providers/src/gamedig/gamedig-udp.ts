/*
 * GameDig's UDP over our shared sockets. Every GameDig protocol sends and listens through
 * one object of its query runner (`send`, `addCallback`, `removeCallback`); GameDig's own
 * is a udp4 socket with the kernel's default receive buffer. Giving each query one of these
 * instead puts GameDig's datagrams on the process's shared sockets (see transport/udp.ts):
 * IPv6 for the long tail too, the large receive buffer, the cap on queued bytes, and the
 * same one-query-per-ip:port turn as the native providers take.
 */
import type { GameDigPacketCallback, GameDigUdpSocket } from 'gamedig';
import { toProviderError, type ProviderError } from '../provider.error.js';
import type { ReplyBudget } from './gamedig-budget.js';
import type { UdpConversation, UdpTransport } from '../transport/udp.js';

/**
 * One GameDig query's UDP: a conversation with each ip:port it sends to, opened on its
 * first datagram, each one's replies handed to GameDig's callbacks. {@link close} when the
 * query ends, which hands every ip:port on.
 */
export class GameDigUdpBridge implements GameDigUdpSocket {
  private readonly callbacks = new Set<GameDigPacketCallback>();
  private readonly conversations = new Map<string, Promise<UdpConversation>>();
  private isClosed = false;
  /**
   * Why a conversation ended before the query did (a send error such as no route): a more
   * precise answer than the timeout GameDig will report for it.
   */
  failure: ProviderError | undefined;

  constructor(
    private readonly udp: UdpTransport,
    private readonly signal: AbortSignal,
    /** What the query may still receive: past it, no more datagram reaches GameDig. */
    private readonly budget: ReplyBudget,
  ) {}

  /**
   * Sends once this query holds the ip:port (at once unless another query talks to it);
   * nothing if the query ended meanwhile. Rejects when the wait is aborted or the transport
   * is closed; GameDig reports that.
   */
  async send(buffer: Buffer, address: string, port: number): Promise<void> {
    const conversation = await this.conversation(address, port);
    if (!this.isClosed) conversation.send(buffer);
  }

  addCallback(callback: GameDigPacketCallback): void {
    this.callbacks.add(callback);
  }

  removeCallback(callback: GameDigPacketCallback): void {
    this.callbacks.delete(callback);
  }

  /** Ends every conversation, including one still waiting for its turn. */
  close(): void {
    this.isClosed = true;
    for (const pending of this.conversations.values()) {
      pending.then(
        (conversation) => conversation.close(),
        () => undefined,
      );
    }
    this.conversations.clear();
  }

  private conversation(address: string, port: number): Promise<UdpConversation> {
    if (this.isClosed) return Promise.reject(new Error('GameDig query already ended'));
    const key = `${address}|${port}`;
    let pending = this.conversations.get(key);
    if (!pending) {
      pending = (async () => this.udp.open({ address, port }, this.signal))();
      pending.then(
        (conversation) => void this.relay(conversation, address, port),
        () => undefined,
      );
      this.conversations.set(key, pending);
    }
    return pending;
  }

  /**
   * Hands each reply to GameDig's callbacks until the conversation ends, with the address as
   * GameDig wrote it (GameDig compares it as text; the transport matched the source in
   * canonical form, so any spelling of an IPv6 address works).
   */
  private async relay(conversation: UdpConversation, address: string, port: number): Promise<void> {
    for (;;) {
      let datagram: Buffer;
      try {
        datagram = await conversation.receive();
      } catch (err) {
        if (!this.isClosed && !this.signal.aborted) this.failure ??= toProviderError(err);
        return;
      }
      if (!this.budget.take(datagram.length)) return;
      for (const callback of [...this.callbacks]) callback(address, port, datagram);
    }
  }
}
