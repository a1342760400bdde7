import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { describe, expect, it } from 'vitest';
import { CreateServerDto, ListServersQueryDto, UpdateServerDto } from './server.dto.js';

/** What the API's global ValidationPipe does with a body: transform, then validate. */
function parse<T extends object>(dto: new () => T, body: object): { value: T; fields: string[] } {
  const value = plainToInstance(dto, body);
  const errors = validateSync(value, { whitelist: true, forbidNonWhitelisted: true });
  return { value, fields: errors.map((e) => e.property) };
}

describe("server DTOs and GameDig's former game ids", () => {
  const server = { name: 'Ark EU', host: 'ark.example.test', port: 7777 };

  it('stores a new server given a former id under the current one', () => {
    const { value, fields } = parse(CreateServerDto, { ...server, game: 'arkse' });
    expect(fields).toEqual([]);
    expect(value.game).toBe('ase');
  });

  it('takes a former id in a change and in the list filter', () => {
    const change = parse(UpdateServerDto, { game: 'tf2' });
    expect(change.fields).toEqual([]);
    expect(change.value.game).toBe('teamfortress2');
    expect(parse(ListServersQueryDto, { game: 'cs2' }).value.game).toBe('counterstrike2');
  });

  it('still refuses an id that is neither current nor former', () => {
    expect(parse(CreateServerDto, { ...server, game: 'tetris' }).fields).toEqual(['game']);
    expect(parse(UpdateServerDto, { game: 'tetris' }).fields).toEqual(['game']);
  });
});
