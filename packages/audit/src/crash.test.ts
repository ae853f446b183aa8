import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadOrCreateSigningKey } from './keys.js';
import { SqliteStore } from './sqlite-store.js';
import { tempDir } from './test-support.js';
import { verifyChain } from './verify.js';

const child = fileURLToPath(new URL('./crash-child.ts', import.meta.url));

/** Runs the child until it has printed at least `min` records plus a random delay, then SIGKILLs it. */
function runAndKill(db: string, key: string, delayMs: number): Promise<Map<number, string>> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', child, db, key], {
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

describe('the SQLite audit log under kill -9', () => {
  it('keeps every append that resolved, and a chain that verifies, after each of many kills', async () => {
    const dir = tempDir('regate-crash-');
    const db = join(dir, 'audit.db');
    const keyPath = join(dir, 'key.pem');
    const key = loadOrCreateSigningKey(keyPath);
    const all = new Map<number, string>();
    const kills = 12;
    for (let round = 0; round < kills; round++) {
      const delay = 50 + Math.floor(Math.random() * 400);
      const resolved = await runAndKill(db, keyPath, delay);
      for (const [seq, hash] of resolved) all.set(seq, hash);
      const store = new SqliteStore({ path: db });
      const report = await verifyChain(store, 'crash', { publicKeys: [key.publicKey] });
      expect(report.problems, `round ${round}: ${JSON.stringify(report.problems.slice(0, 3))}`).toEqual([]);
      for (const [seq, hash] of all) {
        const row = await store.get('crash', seq);
        expect(row?.hash, `round ${round}: record ${seq} resolved before the kill`).toBe(hash);
      }
      await store.close();
    }
    expect(all.size).toBeGreaterThan(kills * 10);
  }, 120_000);
});
