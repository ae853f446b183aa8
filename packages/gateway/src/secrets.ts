/**
 * Secret references in the config: `env:NAME` (an environment variable) or `file:path` (a file's
 * contents, relative to the config file). Secrets are never written inline (STYLE.md), so a secret
 * field holding anything else is a config error, and every reference is resolved when the config is
 * loaded: a missing variable or file stops the gateway before it starts, naming the config path.
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';

export interface SecretContext {
  /** Where `file:` paths are relative to: the config file's directory. */
  baseDir: string;
  env: Record<string, string | undefined>;
}

const REF = /^(env|file):(.*)$/s;

/** Whether `value` is written as a reference. */
export function isSecretRef(value: string): boolean {
  return REF.test(value);
}

/**
 * The secret's value, or an error message. `file:` contents lose one trailing newline (an editor's), so
 * a key file and `echo token > file` both work; PEM files keep their structure.
 */
export function resolveSecret(ref: string, ctx: SecretContext): { value: string } | { error: string } {
  const m = REF.exec(ref);
  if (!m)
    return {
      error:
        'secrets are not written in the config: write env:NAME (an environment variable) or file:path (a file)',
    };
  const [, kind, name] = m as unknown as [string, 'env' | 'file', string];
  if (name === '')
    return { error: `${kind}: needs a ${kind === 'env' ? 'variable name' : 'file path'} after it` };
  if (kind === 'env') {
    const value = ctx.env[name];
    if (value === undefined || value === '')
      return {
        error: `the environment variable ${name} is not set (or empty): export it before starting regate`,
      };
    return { value };
  }
  const path = isAbsolute(name) ? name : resolve(ctx.baseDir, name);
  try {
    return { value: readFileSync(path, 'utf8').replace(/\r?\n$/, '') };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return {
      error:
        code === 'ENOENT'
          ? `the file ${path} does not exist`
          : `the file ${path} cannot be read: ${(err as Error).message}`,
    };
  }
}
