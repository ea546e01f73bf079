/**
 * The agent's own config file: where Simpul is, the CA that signs its certificate, this agent's
 * id, its data directory and the bounds of its queue. Everything else (what to poll, how often)
 * comes from the server.
 */
import { readFileSync } from 'node:fs';
import { resolve, dirname } from 'node:path';
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { parse as parseYaml } from 'yaml';
import { AgentId } from '../src/agents/protocol.js';

export const AgentConfigSchema = Type.Object(
  {
    /** Simpul's HTTPS listener (http.tls), e.g. https://simpul.example.go.id:8443. */
    server: Type.String({ pattern: '^https://[^\\s/]+/?$', description: 'an https:// URL without a path' }),
    /** PEM file of the CA (or the self-signed certificate) Simpul's certificate is checked against. */
    caFile: Type.String({ minLength: 1 }),
    /** The id the NOC declared in the inventory (`agents:` in the OPD file). */
    agentId: AgentId,
    dataDir: Type.String({ minLength: 1, default: '/var/lib/simpul-agent' }),
    queue: Type.Object(
      {
        /** Batches older than this are dropped (and declared to the server), default 7 days. */
        maxAgeSeconds: Type.Integer({ minimum: 60, default: 7 * 86_400 }),
        /** Queued batches beyond this many bytes drop the oldest, default 512 MiB. */
        maxBytes: Type.Integer({ minimum: 65_536, default: 512 * 1024 * 1024 }),
      },
      { additionalProperties: false, default: {} },
    ),
    /** Longest wait between two attempts while Simpul is unreachable (backoff with jitter). */
    retryMaxSeconds: Type.Number({ minimum: 0.1, maximum: 3600, default: 300 }),
    logLevel: Type.Union([Type.Literal('info'), Type.Literal('debug')], { default: 'info' }),
  },
  { additionalProperties: false },
);

export type AgentConfig = Static<typeof AgentConfigSchema> & { ca: string };

/** Reads and checks the file; every problem named by its key. Relative paths are from the file's directory. */
export function loadAgentConfig(file: string): AgentConfig {
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(file, 'utf8'), { maxAliasCount: 0 }) ?? {};
  } catch (e) {
    throw new Error(`config file '${file}': ${(e as Error).message}`);
  }
  const value = Value.Default(AgentConfigSchema, raw) as Static<typeof AgentConfigSchema>;
  const problems = [...Value.Errors(AgentConfigSchema, value)].map((e) => `${e.path.replace(/^\//, '').replaceAll('/', '.') || '(top level)'}: ${e.message}`);
  if (problems.length) throw new Error(`config file '${file}':\n  - ${[...new Set(problems)].join('\n  - ')}`);
  const base = dirname(resolve(file));
  const caFile = resolve(base, value.caFile);
  let ca: string;
  try {
    ca = readFileSync(caFile, 'utf8');
  } catch (e) {
    throw new Error(`caFile: cannot read '${caFile}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  return { ...value, server: value.server.replace(/\/$/, ''), caFile, dataDir: resolve(base, value.dataDir), ca };
}
