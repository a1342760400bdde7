import { describe, expect, it } from 'vitest';
import { toExecuteKw } from './jsonrpc.transport.js';

describe('toExecuteKw', () => {
  it('passes @api.model methods everything as kwargs, with args=[]', () => {
    const sut = toExecuteKw('search_read', {
      domain: [['active', '=', true]],
      fields: ['name'],
      limit: 10,
      offset: undefined,
      context: { tz: 'UTC' },
    });

    expect(sut).toEqual({
      args: [],
      kwargs: {
        domain: [['active', '=', true]],
        fields: ['name'],
        limit: 10,
        context: { tz: 'UTC' },
      },
    });
  });

  it('passes a custom @api.model method its named arguments as kwargs', () => {
    const reports = [{ server_id: 1, checked_at: '2026-10-01 00:00:00', online: true }];

    expect(toExecuteKw('apply_status_reports', { reports })).toEqual({
      args: [],
      kwargs: { reports },
    });
  });

  it('gives record methods their ids as args[0]', () => {
    expect(toExecuteKw('read', { ids: [1, 2], fields: ['name'] })).toEqual({
      args: [[1, 2]],
      kwargs: { fields: ['name'] },
    });
    expect(
      toExecuteKw('write', { ids: [3], vals: { name: 'x' }, context: { lang: 'en_US' } }),
    ).toEqual({
      args: [[3]],
      kwargs: { vals: { name: 'x' }, context: { lang: 'en_US' } },
    });
    expect(toExecuteKw('unlink', { ids: [4, 5] })).toEqual({ args: [[4, 5]], kwargs: {} });
  });

  it('gives create its vals_list positionally, context still in kwargs', () => {
    const valsList = [{ name: 'a' }, { name: 'b' }];

    expect(toExecuteKw('create', { vals_list: valsList, context: { tz: 'UTC' } })).toEqual({
      args: [valsList],
      kwargs: { context: { tz: 'UTC' } },
    });
  });
});
