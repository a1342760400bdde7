import type { ErrorCode } from '#common';

/**
 * Why one query to a game server failed. The poll worker turns it into an offline report:
 * a failing game server is data, never a failed job.
 */
export class ProviderError extends Error {
  override readonly name = 'ProviderError';

  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

export function isProviderError(err: unknown): err is ProviderError {
  return err instanceof ProviderError;
}

/** Where a socket error happened: the same code means different things before and after connect. */
export type SocketPhase = 'connect' | 'exchange';

const DNS_CODES = new Set([
  'ENOTFOUND',
  'EAI_AGAIN',
  'EAI_NONAME',
  'EAI_FAIL',
  'EAI_NODATA',
  'ENODATA',
  'ESERVFAIL',
  'ENONAME',
]);
const UNREACHABLE_CODES = new Set([
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
  'ENETDOWN',
  'EADDRNOTAVAIL',
  // No IPv6 route or stack on this machine for an IPv6 target.
  'EAFNOSUPPORT',
  // A local firewall rule rejected the packet before it left.
  'EACCES',
  'EPERM',
]);

function errnoCode(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

function syscallOf(err: unknown): string {
  if (typeof err !== 'object' || err === null) return '';
  const syscall = (err as { syscall?: unknown }).syscall;
  return typeof syscall === 'string' ? syscall : '';
}

function isAbortLike(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const name = (err as { name?: unknown }).name;
  return name === 'AbortError' || name === 'TimeoutError' || errnoCode(err) === 'ABORT_ERR';
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Maps a Node socket or resolver error (or an abort) to a {@link ProviderError}.
 * A ProviderError passes through unchanged; anything unrecognised becomes `protocol`.
 *
 * @param phase `connect` when the error arrived before the connection was established:
 *   a reset then means the host (or something in front of it) turned us away.
 */
export function toProviderError(err: unknown, phase: SocketPhase = 'exchange'): ProviderError {
  if (err instanceof ProviderError) return err;

  // With several addresses to try (autoSelectFamily), Node reports an AggregateError
  // whose own code may be missing; the first attempt's error says what happened.
  if (err instanceof AggregateError && errnoCode(err) === undefined && err.errors.length > 0) {
    return toProviderError(err.errors[0], phase);
  }

  const code = errnoCode(err);
  const options = { cause: err };
  const syscall = syscallOf(err);
  // Resolver failures carry the resolver's own codes, some of which (ECONNREFUSED,
  // ETIMEOUT) would otherwise read as the game server's fault.
  if (syscall.startsWith('getaddrinfo') || syscall.startsWith('query')) {
    return new ProviderError('dns', `name resolution failed (${code ?? syscall})`, options);
  }
  if (code !== undefined && DNS_CODES.has(code)) {
    return new ProviderError('dns', `name resolution failed (${code})`, options);
  }
  if (isAbortLike(err) || code === 'ETIMEDOUT') {
    return new ProviderError('timeout', 'no reply before the deadline', options);
  }
  if (code === 'ECONNREFUSED') {
    return new ProviderError(
      'refused',
      'connection refused: nothing listens on that port',
      options,
    );
  }
  if (code !== undefined && UNREACHABLE_CODES.has(code)) {
    return new ProviderError('unreachable', `host unreachable (${code})`, options);
  }
  if (code === 'ECONNRESET' || code === 'EPIPE') {
    return phase === 'connect'
      ? new ProviderError('unreachable', `connection reset while connecting (${code})`, options)
      : new ProviderError(
          'protocol',
          `connection reset before a complete reply (${code})`,
          options,
        );
  }
  return new ProviderError('protocol', messageOf(err), options);
}
