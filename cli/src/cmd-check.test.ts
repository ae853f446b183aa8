import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { BIN, type CliResult, cleanup, regate, tree } from './test-support.js';

// Each case starts real processes; on a busy machine that takes a while, and no assertion is about time.
vi.setConfig({ testTimeout: 180_000 });
afterAll(cleanup);

describe('regate check', () => {
  it.concurrent('exits 0 silently when every module compiles, ignoring data files', async () => {
    const dir = tree({
      'p/a.rego': 'package a\n\nallow if input.x == 1\n',
      'p/b.rego': 'package b\n\nimport data.a\n\nok if a.allow\n',
      'p/data.json': '{ broken',
    });
    expect(await regate(['check', 'p'], { cwd: dir })).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  it.concurrent('reports the parse errors of every file with file:row:col and the line', async () => {
    const dir = tree({
      'a.rego': 'package a\n\nallow if {\n\tinput.x ==\n}\n',
      'b.rego': 'package b\n\np := [1, 2\n',
    });
    const r = await regate(['check', '.'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(
      /^2 errors occurred:\na\.rego:5:1: rego_parse_error: [^\n]+\n\t}\n\t\^\nb\.rego:\d+:\d+: rego_parse_error: /,
    );
  });

  it.concurrent('reports every compile error with the source line and a caret', async () => {
    const dir = tree({
      'p.rego': 'package p\n\nallow if {\n\tx == 1\n}\n\ndeny if {\n\tcount(y) > 0\n}\n',
    });
    const r = await regate(['check', 'p.rego'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      [
        '2 errors occurred:',
        'p.rego:4:2: rego_unsafe_var_error: var x is unsafe',
        '\t\tx == 1',
        '\t\t^',
        'p.rego:8:2: rego_unsafe_var_error: var y is unsafe',
        '\t\tcount(y) > 0',
        '\t\t^',
        '',
      ].join('\n'),
    );
  });

  it.concurrent('adds strict-mode errors with --strict', async () => {
    const dir = tree({
      'p.rego': `package p

import data.unused
import data.used

allow if {
	x := 1
	used.ok
	any([true])
}

f(a, b) := b

g(a) := 1 if a > 0
else := 0
`,
    });
    expect((await regate(['check', '.'], { cwd: dir })).code).toBe(0);
    const r = await regate(['check', '--strict', '.'], { cwd: dir });
    expect(r.code).toBe(1);
    const heads = r.stderr.split('\n').filter((l) => l.startsWith('p.rego:'));
    expect(heads).toEqual([
      'p.rego:3:1: rego_compile_error: import data.unused unused',
      'p.rego:7:2: rego_compile_error: assigned var x unused',
      'p.rego:9:2: rego_compile_error: deprecated built-in function calls in expression: any',
      'p.rego:12:3: rego_compile_error: unused argument a. (hint: use _ (wildcard variable) instead)',
    ]);
  });

  it.concurrent('prints {"errors": [...]} with --format json', async () => {
    const dir = tree({ 'p.rego': 'package p\n\nallow if x\n' });
    const r = await regate(['check', '--format', 'json', '.'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toEqual({
      errors: [
        {
          code: 'rego_unsafe_var_error',
          message: 'var x is unsafe',
          location: { file: 'p.rego', row: 3, col: 10 },
        },
      ],
    });
  });

  it.concurrent('checks v0 modules with --v0-compatible', async () => {
    const dir = tree({ 'p.rego': 'package p\n\nallow { input.x == 1 }\n' });
    expect((await regate(['check', '--v0-compatible', '.'], { cwd: dir })).code).toBe(0);
    expect((await regate(['check', '.'], { cwd: dir })).code).toBe(1);
  });

  it.concurrent('exits 1 for a missing path or no path, and answers --help', async () => {
    const missing = await regate(['check', 'nowhere'], { cwd: tree({}) });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('nowhere: no such file or directory [ERR_PATH_NOT_FOUND]');
    const none = await regate(['check']);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('regate check needs at least one path');
    const help = await regate(['check', '--help']);
    expect(help.code).toBe(0);
    for (const part of ['Usage: regate check', '--strict', 'Examples:', 'Exit codes:'])
      expect(help.stdout).toContain(part);
  });
});

describe('regate', () => {
  it.concurrent('lists the commands, and says what to do with an unknown one', async () => {
    const help = await regate(['--help']);
    expect(help.code).toBe(0);
    for (const c of [
      'test',
      'eval',
      'check',
      'fmt',
      'decide',
      'build',
      'sign',
      'verify',
      'approvals',
      'audit',
      'serve',
      'config',
      'login',
      'token',
    ]) {
      expect(help.stdout).toContain(`  ${c} `);
    }
    const bare = await regate([]);
    expect(bare.code).toBe(1);
    expect(bare.stderr).toContain('Usage: regate <command>');
    const unknown = await regate(['tset']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toBe(
      "regate: unknown command 'tset'. The commands are: test, eval, check, fmt, decide, build, sign, verify, approvals, audit, login, token, serve, config. Run 'regate --help' for more.\n",
    );
    const version = await regate(['--version']);
    expect(version.stdout).toMatch(/^regate \d+\.\d+\.\d+\n$/);
  });
});

describe('regate under npx', () => {
  it('resolves paths from where the command was typed, not from the package npx moved to', async () => {
    const root = tree({
      'package.json': '{"name": "policies-repo", "private": true}',
      'team/p.rego': 'package p\nx := 1\n',
    });
    const under = (cwd: string, initCwd: string) =>
      new Promise<CliResult>((resolve, reject) => {
        const child = spawn(process.execPath, [BIN, 'check', 'p.rego'], {
          cwd,
          env: {
            ...process.env,
            REGATE_FROM_SOURCE: '1',
            NO_COLOR: '1',
            npm_command: 'exec',
            INIT_CWD: initCwd,
          },
        });
        let stdout = '';
        let stderr = '';
        child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
        child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
        child.on('error', reject);
        child.on('close', (code) => resolve({ code, stdout, stderr }));
      });
    // npx started in root/team and moved to root (the package): p.rego is found in team/
    expect((await under(root, join(root, 'team'))).code).toBe(0);
    // a process elsewhere that merely inherited npm's variables stays where it is
    const elsewhere = tree({ 'p.rego': 'package p\ny := 2\n' });
    expect((await under(elsewhere, join(root, 'team'))).code).toBe(0);
    const r = await under(root, elsewhere);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('p.rego: no such file or directory');
  });
});
