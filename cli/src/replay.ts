/**
 * Playing a session back: an SSH session's terminal recording (asciicast v2 output events, in the order
 * and with the gaps they were recorded with), or the transcript of a SQL or HTTP session. The timing
 * loop takes its sleep as an argument, so tests play a recording without waiting for it.
 */
import type { AsciicastEvent, AuditRecord, TerminalEvent } from '@regate/audit';

export interface Recording {
  /** The terminal size the session was recorded at (80x24 when the recording does not say). */
  width: number;
  height: number;
  events: AsciicastEvent[];
}

/** The session's terminal recording, or undefined when it has none (a SQL, HTTP or exec-only session). */
export function recordingOf(records: readonly AuditRecord[]): Recording | undefined {
  const chunks = records.filter((r): r is TerminalEvent & AuditRecord => r.type === 'terminal');
  if (chunks.length === 0) return undefined;
  const header = chunks.find((c) => c.header)?.header;
  return {
    width: header?.width ?? 80,
    height: header?.height ?? 24,
    events: chunks.flatMap((c) => c.events),
  };
}

export interface PlayOptions {
  /** Where terminal output goes. */
  write: (text: string) => void;
  /** Playback speed factor: 2 plays twice as fast (default 1). */
  speed?: number;
  /** No gap between two outputs lasts longer than this many seconds (before the speed factor). */
  idleLimit?: number;
  /** False: write everything at once. */
  wait?: boolean;
  sleep?: (ms: number) => Promise<void>;
}

export interface PlayResult {
  /** Output events written. */
  events: number;
  /** How long the playback waited in total, in ms (with speed and idle limit applied). */
  waitedMs: number;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Writes the output (`o`) events in order, waiting between them as long as the recording did, divided
 * by `speed`, each gap capped at `idleLimit`. Input events are not written (the terminal's echo is in
 * the output already); resize and marker events only advance the clock.
 */
export async function play(events: readonly AsciicastEvent[], options: PlayOptions): Promise<PlayResult> {
  const speed = options.speed ?? 1;
  const sleep = options.sleep ?? realSleep;
  const wait = options.wait ?? true;
  let last = 0;
  let written = 0;
  let waitedMs = 0;
  for (const [time, code, data] of events) {
    if (code !== 'o') continue;
    // Recordings are monotonic, but a chunk boundary may repeat a time: never wait a negative gap.
    let gap = Math.max(0, time - last);
    if (options.idleLimit !== undefined) gap = Math.min(gap, options.idleLimit);
    last = time;
    const ms = (gap * 1000) / speed;
    if (wait && ms >= 1) {
      await sleep(ms);
      waitedMs += ms;
    }
    options.write(data);
    written++;
  }
  return { events: written, waitedMs };
}

/** How long the recording lasts as played with these options, in seconds. */
export function playLength(events: readonly AsciicastEvent[], speed = 1, idleLimit?: number): number {
  let last = 0;
  let total = 0;
  for (const [time, code] of events) {
    if (code !== 'o') continue;
    const gap = Math.max(0, time - last);
    total += idleLimit === undefined ? gap : Math.min(gap, idleLimit);
    last = time;
  }
  return total / speed;
}
