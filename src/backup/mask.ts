// Masks secrets in a RouterOS export before anything is stored. The key stays, its value is
// replaced by a keyed digest: a diff still shows that a secret changed, never what it is.
import { createHmac } from 'node:crypto';

/**
 * Parameter names whose values are secrets: passwords and pre-shared keys of every kind
 * (`password`, `authentication-password`, `wpa2-pre-shared-key`, `secret`, `passphrase`,
 * `private-key`, `psk`, `preshared-key`, `tcp-md5-key`...).
 */
const SENSITIVE = /^(?:[a-z0-9-]+-)?(?:password|secret|passphrase|pre-shared-key|preshared-key|private-key|psk|auth-key|priv-key|md5-key)$/;

export const isSensitiveKey = (key: string): boolean => SENSITIVE.test(key);

/** `key=value` with a quoted (escapes allowed) or bare value, at a word boundary. */
const ASSIGNMENT = /(^|[\s\]])([a-z0-9-]+)=("(?:[^"\\\n]|\\.)*"?|[^\s"]*)/gm;

export interface MaskResult {
  text: string;
  /** How many values were masked. */
  masked: number;
}

/** `key` makes the digest: without it, a short password could be guessed from its digest. */
export function maskSecrets(text: string, key: Buffer): MaskResult {
  let masked = 0;
  const out = text.replace(ASSIGNMENT, (all, lead: string, name: string, value: string) => {
    if (!isSensitiveKey(name)) return all;
    masked++;
    const tag = createHmac('sha256', key).update(name).update('\0').update(value).digest('hex').slice(0, 10);
    return `${lead}${name}=***masked:${tag}***`;
  });
  return { text: out, masked };
}
