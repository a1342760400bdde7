import { describe, expect, it } from 'vitest';
import { json2Body } from './json2.transport.js';

describe('json2Body', () => {
  it('sends named arguments, ids and context as one object', () => {
    expect(json2Body({ ids: [1], vals: { name: 'x' }, context: { tz: 'UTC' } })).toEqual({
      ids: [1],
      vals: { name: 'x' },
      context: { tz: 'UTC' },
    });
  });

  it('leaves ids out when not given, since @api.model methods refuse them', () => {
    const sut = json2Body({ ids: undefined, domain: [], limit: undefined });

    expect(sut).toEqual({ domain: [] });
    expect('ids' in sut).toBe(false);
  });
});
