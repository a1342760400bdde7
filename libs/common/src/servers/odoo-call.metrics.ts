import {
  type OdooCallArgs,
  type OdooCallOptions,
  type OdooClient,
  OdooError,
  type OdooErrorKind,
} from '#odoo-client';
import { Counter, Histogram, type Registry } from 'prom-client';

/** One finished Odoo call, as {@link observeOdooCalls} reports it. */
export interface OdooCallRecord {
  model: string;
  method: string;
  /** Arguments as the caller gave them (before encoding); never logged, may be large. */
  args: OdooCallArgs;
  seconds: number;
  /** The OdooError kind when the call failed, `other` for any other exception. */
  error: OdooErrorKind | 'other' | null;
}

/**
 * Reports every call `client` makes, ok or failed, to `listener`. Every typed helper of
 * OdooClient (searchRead, create, callModel, ...) goes through `call`, so wrapping that one
 * method sees them all, read retries included as separate calls.
 */
export function observeOdooCalls(
  client: OdooClient,
  listener: (call: OdooCallRecord) => void,
): void {
  const call = client.call.bind(client);
  client.call = async <T>(
    model: string,
    method: string,
    args: OdooCallArgs = {},
    options: OdooCallOptions = {},
  ): Promise<T> => {
    const started = performance.now();
    let error: OdooCallRecord['error'] = null;
    try {
      return await call<T>(model, method, args, options);
    } catch (err) {
      error = err instanceof OdooError ? err.kind : 'other';
      throw err;
    } finally {
      listener({ model, method, args, seconds: (performance.now() - started) / 1000, error });
    }
  };
}

/**
 * Prometheus figures of a process's Odoo calls: latency per model and method, and failures
 * per kind. Both apps register them under the same names, so one dashboard reads either.
 */
export class OdooCallMetrics {
  private readonly duration: Histogram<'model' | 'method'>;
  private readonly errors: Counter<'model' | 'method' | 'kind'>;

  constructor(registry: Registry) {
    this.duration = new Histogram({
      name: 'gss_odoo_call_duration_seconds',
      help: 'Duration of Odoo calls, failed ones included',
      labelNames: ['model', 'method'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    });
    this.errors = new Counter({
      name: 'gss_odoo_call_errors_total',
      help: 'Odoo calls that failed, by OdooError kind',
      labelNames: ['model', 'method', 'kind'],
      registers: [registry],
    });
  }

  observe(call: OdooCallRecord): void {
    this.duration.observe({ model: call.model, method: call.method }, call.seconds);
    if (call.error) this.errors.inc({ model: call.model, method: call.method, kind: call.error });
  }
}
