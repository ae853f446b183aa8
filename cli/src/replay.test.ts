import type { AsciicastEvent, AuditRecord } from '@regate/audit';
import { describe, expect, it } from 'vitest';
import { play, playLength, recordingOf } from './replay.js';

const EVENTS: AsciicastEvent[] = [
  [0.5, 'o', '$ '],
  [1.0, 'i', 'l'],
  [1.2, 'o', 'ls\r\n'],
  [1.2, 'o', 'README.md\r\n'],
  [1.5, 'r', '120x40'],
  [31.5, 'o', '$ exit\r\n'],
];

/** A player whose sleeps are recorded, not waited for; the log shows sleeps and writes in order. */
function recorder(): {
  log: (string | number)[];
  write: (t: string) => void;
  sleep: (ms: number) => Promise<void>;
} {
  const log: (string | number)[] = [];
  return {
    log,
    write: (t) => log.push(t),
    sleep: async (ms) => {
      log.push(Math.round(ms));
    },
  };
}

describe('play', () => {
  it('writes output events with the recorded gaps before each, skipping input and resize', async () => {
    const r = recorder();
    const result = await play(EVENTS, { write: r.write, sleep: r.sleep });
    expect(r.log).toEqual([500, '$ ', 700, 'ls\r\n', 'README.md\r\n', 30_300, '$ exit\r\n']);
    expect(result).toEqual({ events: 4, waitedMs: 31_500 });
  });

  it('divides the gaps by the speed and caps each at the idle limit', async () => {
    const r = recorder();
    await play(EVENTS, { write: r.write, sleep: r.sleep, speed: 2, idleLimit: 2 });
    expect(r.log.filter((x) => typeof x === 'number')).toEqual([250, 350, 1000]);
    expect(playLength(EVENTS, 2, 2)).toBeCloseTo(1.6);
    expect(playLength(EVENTS)).toBeCloseTo(31.5);
  });

  it('never sleeps when told not to wait', async () => {
    const r = recorder();
    await play(EVENTS, { write: r.write, sleep: r.sleep, wait: false });
    expect(r.log).toEqual(['$ ', 'ls\r\n', 'README.md\r\n', '$ exit\r\n']);
  });
});

describe('recordingOf', () => {
  const base = { instance: 'gw', prev_hash: '', hash: '', session: 's1' };
  it('joins the terminal chunks of a session in order, with the size from the header', () => {
    const records = [
      { ...base, seq: 1, time: 't1', type: 'session.start' },
      {
        ...base,
        seq: 2,
        time: 't2',
        type: 'terminal',
        header: { width: 132, height: 43 },
        events: [[0.1, 'o', 'a']],
      },
      { ...base, seq: 3, time: 't3', type: 'terminal', events: [[0.2, 'o', 'b']] },
    ] as AuditRecord[];
    expect(recordingOf(records)).toEqual({
      width: 132,
      height: 43,
      events: [
        [0.1, 'o', 'a'],
        [0.2, 'o', 'b'],
      ],
    });
  });

  it('is undefined for a session without terminal records', () => {
    expect(
      recordingOf([{ ...base, seq: 1, time: 't', type: 'session.start' }] as AuditRecord[]),
    ).toBeUndefined();
  });
});
