import { createHash } from 'node:crypto';

/** An SSH host key's fingerprint as OpenSSH prints it: `SHA256:` and the unpadded base64 digest. */
export function sshFingerprint(publicKeyBlob: Buffer): string {
  return `SHA256:${createHash('sha256').update(publicKeyBlob).digest('base64').replace(/=+$/, '')}`;
}
