import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.js';

function capture(level?: 'debug' | 'info' | 'warn' | 'error') {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({
    ...(level ? { level } : {}),
    clock: () => new Date('2026-11-23T10:00:00Z'),
    write: (line) => lines.push(JSON.parse(line) as Record<string, unknown>),
  });
  return { logger, lines };
}

describe('createLogger', () => {
  it('writes one JSON object per line with time, level, message and details', () => {
    const { logger, lines } = capture();
    logger.info('http listening on http://127.0.0.1:8080', { targets: ['api'] });
    expect(lines).toEqual([
      {
        time: '2026-11-23T10:00:00.000Z',
        level: 'info',
        msg: 'http listening on http://127.0.0.1:8080',
        targets: ['api'],
      },
    ]);
  });

  it('drops lines below the level', () => {
    const { logger, lines } = capture('warn');
    logger.debug('d');
    logger.info('i');
    logger.warn('w');
    logger.error('e');
    expect(lines.map((l) => l.level)).toEqual(['warn', 'error']);
  });

  it('redacts values under credential names, nested too, and carries child fields', () => {
    const { logger, lines } = capture();
    logger.child({ listener: 'http', token: 'eyJhbGciOi' }).warn('refused', {
      headers: { authorization: 'Bearer abc', 'x-api-key': 'k', accept: '*/*' },
      client_secret: 's',
    });
    expect(lines[0]).toMatchObject({
      listener: 'http',
      token: '[redacted]',
      client_secret: '[redacted]',
      headers: { authorization: '[redacted]', 'x-api-key': '[redacted]', accept: '*/*' },
    });
    expect(JSON.stringify(lines)).not.toMatch(/eyJhbGciOi|Bearer abc/);
  });

  it('writes errors as their message and survives values JSON cannot hold', () => {
    const { logger, lines } = capture();
    const loop: Record<string, unknown> = {};
    loop.self = loop;
    logger.error('boom', { error: new Error('disk full') });
    logger.error('odd', { n: 10n as unknown });
    expect(lines[0]).toMatchObject({ error: 'disk full' });
    expect(lines[1]).toMatchObject({ msg: 'odd', detail: '[unserializable]' });
  });
});
