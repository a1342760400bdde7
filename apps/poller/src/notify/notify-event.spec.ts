import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EVENT_KINDS } from './notify-event.js';

/** The addon's event kinds, read from its Python source (game.server.event.kind's selection). */
function addonEventKinds(): string[] {
  const source = readFileSync(
    join(import.meta.dirname, '../../../../odoo/game_server_status/models/game_server_notify.py'),
    'utf8',
  );
  const block = /^EVENT_KINDS = \[([\s\S]*?)^\]/mu.exec(source)?.[1] ?? '';
  return [...block.matchAll(/\('([a-z_]+)',/gu)].map((m) => m[1] ?? '');
}

describe('event kinds', () => {
  it('are the addon’s, every one, so no kind Odoo sends falls back to a bare summary', () => {
    expect(addonEventKinds()).toEqual([...EVENT_KINDS]);
  });
});
