import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { validateEnv } from '../config/load-config.js';
import { LoggingEnv, levelOfNestLevels, rootLogger } from './logging.js';

function sink(): { lines: string[]; stream: Writable } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  return { lines, stream };
}

describe('logging', () => {
  it('writes one JSON line per call with the service, an ISO time and the level', () => {
    const { lines, stream } = sink();
    const sut = rootLogger({
      service: 'poller',
      level: 'info',
      format: 'json',
      destination: stream,
    });
    sut.info('running');
    sut.debug('not at info');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({
      level: 30,
      service: 'poller',
      msg: 'running',
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/) as unknown,
    });
  });

  it('censors secrets in any object logged whole', () => {
    const { lines, stream } = sink();
    const sut = rootLogger({ service: 'api', level: 'info', format: 'json', destination: stream });
    sut.info(
      {
        env: { ODOO_API_KEY: 'k-1', API_KEYS: 'ops:admin:k-2', REDIS_PASSWORD: 'k-3' },
        user: { password: 'k-4', apiKey: 'k-5' },
        req: { headers: { authorization: 'Bearer k-6', 'x-api-key': 'k-7' } },
      },
      'what a careless caller logs',
    );
    for (const secret of ['k-1', 'k-2', 'k-3', 'k-4', 'k-5', 'k-6', 'k-7']) {
      expect(lines.join('\n')).not.toContain(secret);
    }
    expect(lines.join('\n')).toContain('[redacted]');
  });

  it('reads LOG_LEVEL and LOG_FORMAT with defaults, and names a bad value once', () => {
    expect(validateEnv(LoggingEnv, {})).toMatchObject({ LOG_LEVEL: 'info', LOG_FORMAT: 'json' });
    expect(validateEnv(LoggingEnv, { LOG_LEVEL: 'debug', LOG_FORMAT: 'pretty' })).toMatchObject({
      LOG_LEVEL: 'debug',
      LOG_FORMAT: 'pretty',
    });
    expect(() => validateEnv(LoggingEnv, { LOG_FORMAT: 'xml' })).toThrow(
      /LOG_FORMAT must be one of json, pretty/,
    );
  });

  it("maps Nest's level lists to the one pino threshold they amount to", () => {
    expect(levelOfNestLevels(['error', 'warn'])).toBe('warn');
    expect(levelOfNestLevels(['log', 'warn', 'error'])).toBe('info');
    expect(levelOfNestLevels(['verbose'])).toBe('trace');
    expect(levelOfNestLevels([])).toBe('silent');
  });
});
