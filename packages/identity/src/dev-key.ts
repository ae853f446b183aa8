/**
 * The dev issuer's signing key: a private JWK (Ed25519, or P-256 for ES256) in a file of mode 0600, with
 * a `kid` (its RFC 7638 thumbprint). Created on first use, reused after, so tokens minted by the CLI and
 * verified by a gateway agree across restarts.
 */
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import {
  type CryptoKey,
  calculateJwkThumbprint,
  exportJWK,
  generateKeyPair,
  importJWK,
  type JWK,
} from 'jose';
import { IdentityError } from './errors.js';

export type DevKeyAlgorithm = 'EdDSA' | 'ES256';

export interface DevKey {
  alg: DevKeyAlgorithm;
  kid: string;
  privateKey: CryptoKey;
  /** The public half as published in the dev issuer's JWKS. */
  publicJwk: JWK;
}

/** Reads the key at `path`; ERR_IDENTITY_KEY when it is missing or not a dev issuer key. */
export async function readDevKey(path: string): Promise<DevKey> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new IdentityError(
      'ERR_IDENTITY_KEY',
      code === 'ENOENT'
        ? `no dev issuer key at ${path}`
        : `cannot read the dev issuer key ${path} (${code ?? (err as Error).message})`,
      { cause: err },
    );
  }
  return parseDevKey(text, path);
}

/** Reads the key at `path`, or creates one there (directory included, file mode 0600) when there is none. */
export async function loadOrCreateDevKey(path: string, alg: DevKeyAlgorithm = 'EdDSA'): Promise<DevKey> {
  try {
    return await readDevKey(path);
  } catch (err) {
    if (
      !(err instanceof IdentityError) ||
      (err.cause as NodeJS.ErrnoException | undefined)?.code !== 'ENOENT'
    )
      throw err;
  }
  const { privateKey } = await generateKeyPair(alg, { extractable: true });
  const jwk = await exportJWK(privateKey);
  const kid = await calculateJwkThumbprint(jwk);
  const text = `${JSON.stringify({ ...jwk, alg, kid, use: 'sig' }, null, 2)}\n`;
  try {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    // 'wx': when two processes start at once, one writes and the other reads what it wrote.
    writeFileSync(path, text, { mode: 0o600, flag: 'wx' });
    chmodSync(path, 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return readDevKey(path);
    throw new IdentityError(
      'ERR_IDENTITY_KEY',
      `cannot create the dev issuer key ${path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}): check that its directory is writable`,
      { cause: err },
    );
  }
  return parseDevKey(text, path);
}

async function parseDevKey(text: string, path: string): Promise<DevKey> {
  const bad = (why: string): never => {
    throw new IdentityError(
      'ERR_IDENTITY_KEY',
      `${path} is not a dev issuer key: ${why}. Delete it to have a new one created.`,
    );
  };
  let jwk: JWK;
  try {
    jwk = JSON.parse(text) as JWK;
  } catch {
    return bad('not JSON');
  }
  if (typeof jwk !== 'object' || jwk === null) bad('not a JSON object');
  const alg: DevKeyAlgorithm | undefined =
    jwk.kty === 'OKP' && jwk.crv === 'Ed25519'
      ? 'EdDSA'
      : jwk.kty === 'EC' && jwk.crv === 'P-256'
        ? 'ES256'
        : undefined;
  if (alg === undefined) return bad('expected an Ed25519 (OKP) or P-256 (EC) JWK');
  if (typeof jwk.d !== 'string') bad('it holds no private key (d)');
  if (typeof jwk.kid !== 'string' || jwk.kid === '') bad('it has no kid');
  let privateKey: CryptoKey;
  try {
    privateKey = (await importJWK({ ...jwk, alg }, alg)) as CryptoKey;
  } catch (err) {
    return bad(`the key does not import (${(err as Error).message})`);
  }
  const { d: _d, ...pub } = jwk;
  return { alg, kid: jwk.kid as string, privateKey, publicJwk: { ...pub, alg, use: 'sig' } };
}
