/**
 * The policy the gateway starts with: a directory in the bundle layout (`policies/`) or a bundle file,
 * whose signature must verify when `policy.public_key` is set.
 */
import { createPublicKey, X509Certificate } from 'node:crypto';
import type { SigningAlgorithm, VerificationOptions } from '@regate/bundle';
import { loadPolicy, type PolicySource } from '@regate/engine';
import type { GatewayConfig } from './config.js';
import { GatewayStartError } from './errors.js';

export async function readPolicy(policy: GatewayConfig['policy']): Promise<PolicySource> {
  const where = 'dir' in policy ? policy.dir : policy.bundle;
  try {
    if ('dir' in policy) return await loadPolicy(policy.dir);
    const verification: VerificationOptions | 'skip' =
      policy.publicKey === undefined
        ? 'skip'
        : {
            keys: { default: { key: policy.publicKey, algorithm: algorithmOf(policy.publicKey) } },
            keyId: 'default',
          };
    return await loadPolicy(policy.bundle, { verification });
  } catch (err) {
    throw new GatewayStartError(
      'ERR_GATEWAY_POLICY',
      `the policy at ${where} cannot be loaded: ${(err as Error)?.message ?? String(err)}${codeOf(err)}`,
      { cause: err },
    );
  }
}

function codeOf(err: unknown): string {
  const code = (err as { code?: unknown })?.code;
  return typeof code === 'string' ? ` [${code}]` : '';
}

/** The JWS algorithm a PEM public key (or certificate) signs with, as `regate verify` infers it. */
function algorithmOf(pem: string): SigningAlgorithm {
  try {
    const key = /-----BEGIN CERTIFICATE-----/.test(pem)
      ? new X509Certificate(pem).publicKey
      : createPublicKey(pem);
    if (key.asymmetricKeyType === 'ed25519') return 'EdDSA';
    if (key.asymmetricKeyType === 'rsa-pss') return 'PS256';
    if (key.asymmetricKeyType === 'ec') {
      const curve = key.asymmetricKeyDetails?.namedCurve;
      return curve === 'secp384r1' ? 'ES384' : curve === 'secp521r1' ? 'ES512' : 'ES256';
    }
  } catch {
    // not readable here: the bundle library refuses it with the reason
  }
  return 'RS256';
}
