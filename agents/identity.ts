/**
 * The agent's identity: the secret Simpul handed out once at enrollment, kept in
 * `<dataDir>/identity.json` readable by the agent's user alone (0600).
 */
import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Identity {
  agentId: string;
  secret: string;
}

export const identityPath = (dataDir: string): string => join(dataDir, 'identity.json');

export function readIdentity(dataDir: string): Identity | undefined {
  let text: string;
  try {
    text = readFileSync(identityPath(dataDir), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  const v = JSON.parse(text) as Partial<Identity>;
  if (typeof v.agentId !== 'string' || typeof v.secret !== 'string') throw new Error(`${identityPath(dataDir)}: not an agent identity`);
  return { agentId: v.agentId, secret: v.secret };
}

/** Written to a temp file created 0600 and renamed, so the secret is never readable by others, even for a moment. */
export function writeIdentity(dataDir: string, id: Identity): void {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const tmp = `${identityPath(dataDir)}.tmp`;
  writeFileSync(tmp, JSON.stringify(id) + '\n', { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, identityPath(dataDir));
}
