/**
 * The kill -9 test, for any store: a child process (crash-child.ts) appends under load and is killed
 * with SIGKILL at a random moment, many times; after each kill the chain must verify and every append
 * the child saw resolve must be in the store with the hash it was given. Run by crash.test.ts on SQLite
 * and by test/system on the PostgreSQL server.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { loadOrCreateSigningKey } from './keys.js';
import type { AuditStore } from './store.js';
import { tempDir } from './test-support.js';
import { verifyChain } from './verify.js';

const child = fileURLToPath(new URL('./crash-child.ts', import.meta.url));

/** Runs the child until it is ready, waits `delayMs`, SIGKILLs it; resolves with what it saw resolve. */
function runAndKill(target: string, key: string, delayMs: number): Promise<Map<number, string>> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', child, target, key], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const resolved = new Map<number, string>();
    let buffer = '';
    let stderr = '';
    let timer: NodeJS.Timeout | undefined;
    p.stdout.setEncoding('utf8');
    p.stdout.on('data', (chunk: string) => {
      buffer += chunk;
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const line of lines) {
        if (line === 'ready') {
          timer = setTimeout(() => p.kill('SIGKILL'), delayMs);
          continue;
        }
        const [seq, hash] = line.split(' ');
        resolved.set(Number(seq), hash as string);
      }
    });
    p.stderr.on('data', (c) => {
      stderr += c;
    });
    p.on('error', reject);
    p.on('exit', (_code, signal) => {
      clearTimeout(timer);
      if (signal !== 'SIGKILL') reject(new Error(`the child exited by itself: ${stderr}`));
      else resolve(resolved);
    });
  });
}

/** `kills` rounds against the store at `target`, checked after each with a fresh `open()`. */
export async function crashLoop(
  target: string,
  open: () => Promise<AuditStore>,
  kills: number,
): Promise<number> {
  const keyPath = join(tempDir('regate-crash-key-'), 'key.pem');
  const key = loadOrCreateSigningKey(keyPath);
  const all = new Map<number, string>();
  for (let round = 0; round < kills; round++) {
    const resolved = await runAndKill(target, keyPath, 50 + Math.floor(Math.random() * 400));
    for (const [seq, hash] of resolved) all.set(seq, hash);
    const store = await open();
    try {
      const report = await verifyChain(store, 'crash', { publicKeys: [key.publicKey] });
      expect(report.problems, `round ${round}: ${JSON.stringify(report.problems.slice(0, 3))}`).toEqual([]);
      for (const [seq, hash] of all) {
        const row = await store.get('crash', seq);
        expect(row?.hash, `round ${round}: record ${seq} resolved before the kill`).toBe(hash);
      }
    } finally {
      await store.close();
    }
  }
  return all.size;
}
