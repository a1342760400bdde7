/*
 * A cap on the bytes one GameDig query may receive. GameDig gathers a TCP reply in one
 * buffer that grows until the protocol finds it whole, so a server streaming bytes that never
 * make a whole reply grows it without end (hundreds of MB in seconds, measured against a
 * garbage `openttd` server); its UDP protocols keep what they are handed too. Each query
 * gets a budget: UDP datagrams (gamedig-udp.ts) and TCP chunks (GameDig's `withTcp`, wrapped
 * once by {@link capGameDigTcp}) count against it, and past the cap the query fails at once
 * as a protocol error. GameDig's HTTP protocols (through `got`) are not counted.
 */
import type { Socket } from 'node:net';
import { ProviderError } from '../provider.error.js';

/**
 * Far above any status GameDig reads (the largest, player and rule lists of busy servers,
 * are tens of KB), far below what hurts a process running hundreds of queries at once.
 */
export const MAX_GAMEDIG_REPLY_BYTES = 1024 * 1024;

/** The query option carrying the budget into GameDig's protocol object (`this.options`). */
const BUDGET_OPTION = 'gssReplyBudget';

export class ReplyBudget {
  /** Rejects with {@link error} once the cap is passed; never resolves. */
  readonly exceeded: Promise<never>;
  error: ProviderError | undefined;
  private received = 0;
  private fail!: (err: ProviderError) => void;

  constructor(private readonly maxBytes = MAX_GAMEDIG_REPLY_BYTES) {
    this.exceeded = new Promise<never>((_resolve, reject) => {
      this.fail = reject;
    });
    // Raced against the query, which may settle first: never an unhandled rejection.
    this.exceeded.catch(() => undefined);
  }

  /** Counts `bytes` received; false once the query has received more than the cap. */
  take(bytes: number): boolean {
    this.received += bytes;
    if (this.received <= this.maxBytes) return true;
    if (!this.error) {
      this.error = new ProviderError(
        'protocol',
        `the server sent more than ${this.maxBytes} bytes without a whole reply`,
      );
      this.fail(this.error);
    }
    return false;
  }

  /** The query options that hand this budget to GameDig's TCP (see {@link capGameDigTcp}). */
  asOption(): Record<string, ReplyBudget> {
    return { [BUDGET_OPTION]: this };
  }
}

type WithTcp = (
  this: { options?: Record<string, unknown> | null },
  fn: (socket: Socket) => Promise<unknown>,
  port?: number,
) => Promise<unknown>;

/** GameDig's protocol base class (protocols/core.js), as far as the cap needs it. */
export interface GameDigCore {
  prototype: { withTcp: WithTcp };
}

const capped = new WeakSet<GameDigCore>();

/**
 * Wraps GameDig's `withTcp` (every TCP protocol connects through it) so that each socket's
 * data counts against the query's budget, and a socket past it is closed. Once per class.
 */
export function capGameDigTcp(core: GameDigCore): void {
  if (capped.has(core)) return;
  capped.add(core);
  const original = core.prototype.withTcp;
  core.prototype.withTcp = function (fn, port) {
    const budget = this.options?.[BUDGET_OPTION];
    if (!(budget instanceof ReplyBudget)) return original.call(this, fn, port);
    return original.call(
      this,
      (socket) => {
        socket.on('data', (chunk: Buffer) => {
          if (!budget.take(chunk.length)) socket.destroy();
        });
        return fn(socket);
      },
      port,
    );
  };
}
