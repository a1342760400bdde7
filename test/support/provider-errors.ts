import { expect } from 'vitest';
import { ProviderError } from '#providers';

/** Runs a parser that must reject its input, and returns the ProviderError('protocol') it threw. */
export function protocolError(fn: () => unknown): ProviderError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ProviderError);
    expect((err as ProviderError).code).toBe('protocol');
    return err as ProviderError;
  }
  throw new Error('expected a ProviderError');
}
