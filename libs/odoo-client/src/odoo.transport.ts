import { type AxiosInstance, isAxiosError, isCancel } from 'axios';
import { OdooError, type OdooErrorContext, type OdooProtocol } from './odoo.error.js';

/**
 * Named arguments of one model method, as JSON-2 takes them: the Python parameter names are
 * the contract. `ids` selects the records of a record method; `context` is Odoo's context.
 */
export interface OdooCallArgs {
  ids?: readonly number[];
  context?: Readonly<Record<string, unknown>>;
  [name: string]: unknown;
}

/** Per-call overrides. */
export interface OdooCallOptions {
  /** Replaces the client's default timeout for this call. */
  timeoutMs?: number;
  /** Aborts the call early, e.g. on shutdown. The timeout still applies. */
  signal?: AbortSignal;
}

/** One way of calling a model method on Odoo. */
export interface OdooTransport {
  readonly protocol: OdooProtocol;
  call<T>(
    model: string,
    method: string,
    args?: OdooCallArgs,
    options?: OdooCallOptions,
  ): Promise<T>;
}

/** What a transport needs to reach one Odoo database as one user. */
export interface OdooConnection {
  /** Base URL without a trailing slash, e.g. `http://odoo:8069`. */
  url: string;
  db: string;
  login: string;
  apiKey: string;
  timeoutMs: number;
  http: AxiosInstance;
  userAgent: string;
}

export interface HttpAnswer {
  status: number;
  body: string;
}

/**
 * One HTTP exchange under a timeout. Resolves with any status (the protocols read error
 * statuses themselves) and turns everything else into a `transport` OdooError. The axios error
 * is not kept as `cause`: its config holds the Authorization header.
 */
export async function exchange(
  conn: OdooConnection,
  request: {
    method: 'GET' | 'POST';
    path: string;
    body?: unknown;
    headers?: Record<string, string>;
  },
  ctx: OdooErrorContext,
  options: OdooCallOptions = {},
): Promise<HttpAnswer> {
  const timeoutMs = options.timeoutMs ?? conn.timeoutMs;
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = options.signal ? AbortSignal.any([timeout, options.signal]) : timeout;
  try {
    const res = await conn.http.request<string>({
      method: request.method,
      url: `${conn.url}${request.path}`,
      headers: {
        Accept: 'application/json',
        'User-Agent': conn.userAgent,
        ...(request.body !== undefined && { 'Content-Type': 'application/json' }),
        ...request.headers,
      },
      ...(request.body !== undefined && { data: JSON.stringify(request.body) }),
      signal,
      // Read the raw text and parse it ourselves: a proxy's HTML error page must not throw.
      responseType: 'text',
      transformResponse: [(data: unknown) => data],
      validateStatus: () => true,
      maxRedirects: 0,
    });
    return { status: res.status, body: typeof res.data === 'string' ? res.data : '' };
  } catch (err) {
    if (timeout.aborted) {
      throw OdooError.transport(`no answer within ${timeoutMs} ms`, ctx, 'ETIMEDOUT');
    }
    if (isCancel(err) || options.signal?.aborted) {
      throw OdooError.transport('call aborted', ctx, 'ABORTED');
    }
    if (isAxiosError(err)) {
      const code = err.code ?? 'ERR_NETWORK';
      const detail = err.message.includes(code) ? err.message : `${code}: ${err.message}`;
      throw OdooError.transport(err.message ? detail : code, ctx, code);
    }
    throw OdooError.transport(err instanceof Error ? err.message : String(err), ctx);
  }
}

/** Parses a JSON body, or fails as `transport`: the answer did not come from Odoo. */
export function parseJsonBody(answer: HttpAnswer, ctx: OdooErrorContext): unknown {
  try {
    return JSON.parse(answer.body);
  } catch {
    throw OdooError.transport(`HTTP ${answer.status} answer is not JSON`, ctx, 'ERR_BAD_RESPONSE');
  }
}
