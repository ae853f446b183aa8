/**
 * The gateway's Ed25519 signing key: checkpoints and prune events are signed with it, so a verifier
 * holding only the public key can tell the chain's head was vouched for by the gateway. Generated on
 * first use (PKCS#8 PEM, mode 0600), reloaded afterwards; the public key is exported as SPKI PEM.
 */
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  sign,
  verify,
} from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { AuditError } from './errors.js';

export interface SigningKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** First 16 hex characters of the SHA-256 of the public key's SPKI DER. */
  keyId: string;
}

export function keyIdOf(publicKey: KeyObject): string {
  const der = publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(der).digest('hex').slice(0, 16);
}

function fromPrivate(privateKey: KeyObject, path: string): SigningKey {
  if (privateKey.asymmetricKeyType !== 'ed25519')
    throw new AuditError(
      'ERR_AUDIT_KEY',
      `${path} holds a ${privateKey.asymmetricKeyType} key; the audit key must be Ed25519`,
    );
  const publicKey = createPublicKey(privateKey);
  return { privateKey, publicKey, keyId: keyIdOf(publicKey) };
}

/** Generates a fresh key (not written anywhere): for tests and for `:memory:` stores. */
export function generateSigningKey(): SigningKey {
  const { privateKey } = generateKeyPairSync('ed25519');
  return fromPrivate(privateKey, 'a generated key');
}

/** Reads the key at `path`, or creates it there (and its directory) when the file does not exist. */
export function loadOrCreateSigningKey(path: string): SigningKey & { created: boolean } {
  let pem: string | undefined;
  try {
    pem = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT')
      throw new AuditError(
        'ERR_AUDIT_KEY',
        `cannot read the audit signing key ${path}: ${(err as Error).message}`,
        { cause: err },
      );
  }
  if (pem !== undefined) {
    let key: KeyObject;
    try {
      key = createPrivateKey(pem);
    } catch (err) {
      throw new AuditError('ERR_AUDIT_KEY', `${path} is not a PEM private key: ${(err as Error).message}`, {
        cause: err,
      });
    }
    return { ...fromPrivate(key, path), created: false };
  }
  const key = generateSigningKey();
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, key.privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
  } catch (err) {
    throw new AuditError(
      'ERR_AUDIT_KEY',
      `cannot create the audit signing key ${path}: ${(err as Error).message}`,
      { cause: err },
    );
  }
  return { ...key, created: true };
}

/** SPKI PEM of the public key, for `regate audit key` and for verifiers. */
export function publicKeyPem(key: SigningKey | KeyObject): string {
  const pub = 'publicKey' in key ? key.publicKey : key;
  return pub.export({ type: 'spki', format: 'pem' }).toString();
}

/** Parses a public key given to a verifier (SPKI PEM, or a private key PEM whose public half is used). */
export function parsePublicKey(pem: string, source = 'the public key'): KeyObject {
  let key: KeyObject;
  try {
    key = pem.includes('PRIVATE KEY') ? createPublicKey(createPrivateKey(pem)) : createPublicKey(pem);
  } catch (err) {
    throw new AuditError('ERR_AUDIT_KEY', `${source} is not a PEM key: ${(err as Error).message}`, {
      cause: err,
    });
  }
  if (key.asymmetricKeyType !== 'ed25519')
    throw new AuditError(
      'ERR_AUDIT_KEY',
      `${source} is a ${key.asymmetricKeyType} key; audit keys are Ed25519`,
    );
  return key;
}

export function signText(key: SigningKey, text: string): string {
  return sign(null, Buffer.from(text), key.privateKey).toString('base64url');
}

export function verifyText(publicKey: KeyObject, text: string, signature: string): boolean {
  try {
    return verify(null, Buffer.from(text), publicKey, Buffer.from(signature, 'base64url'));
  } catch {
    return false;
  }
}
