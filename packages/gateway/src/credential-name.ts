import { isSecretName } from '@regate/mask';

/** Header names that carry credentials but that isSecretName, which looks for secret words, does not flag. */
const CREDENTIAL_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie', 'set-cookie']);

/** Whether a config key, header name or log field names a credential. */
export function isCredentialName(name: string): boolean {
  return CREDENTIAL_HEADERS.has(name.toLowerCase()) || isSecretName(name);
}
