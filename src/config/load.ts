import { readFileSync, existsSync } from 'node:fs';
import { Value } from '@sinclair/typebox/value';
import { parse as parseYaml } from 'yaml';
import { ConfigSchema, SECRET_FIELDS, type Config } from './schema.js';

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

/** Environment variables that override config keys. */
const ENV_KEYS: Record<string, { key: string; kind: 'string' | 'int' }> = {
  SIMPUL_HOST: { key: 'host', kind: 'string' },
  SIMPUL_PORT: { key: 'port', kind: 'int' },
  SIMPUL_DATA_DIR: { key: 'dataDir', kind: 'string' },
  SIMPUL_INVENTORY: { key: 'inventory', kind: 'string' },
  SIMPUL_TIMEZONE: { key: 'timezone', kind: 'string' },
  SIMPUL_LOG_LEVEL: { key: 'log.level', kind: 'string' },
};

export interface LoadOptions {
  file?: string;
  env?: NodeJS.ProcessEnv;
  lab?: boolean;
  /** Values that apply before the environment (lab mode's defaults). */
  defaults?: Record<string, unknown>;
}

/**
 * Reads the YAML file (if any), applies environment overrides, validates everything once.
 * Every problem is collected and named by its key, so one start tells the operator all of them.
 */
export function loadConfig(opts: LoadOptions = {}): Config {
  const env = opts.env ?? process.env;
  const file = opts.file ?? env.SIMPUL_CONFIG;
  const problems: string[] = [];
  let raw: Record<string, unknown> = { ...(opts.defaults ?? {}) };
  if (file) {
    if (!existsSync(file)) throw new ConfigError([`config file '${file}' does not exist (from --config or SIMPUL_CONFIG)`]);
    try {
      const parsed = parseYaml(readFileSync(file, 'utf8'), { maxAliasCount: 0 }) ?? {};
      if (typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('the top level must be a mapping of keys');
      // A section left with only comments parses as null: treat it as empty, as the reader meant.
      const entries = Object.entries(parsed as Record<string, unknown>).filter(([, v]) => v !== null);
      raw = { ...raw, ...Object.fromEntries(entries) };
    } catch (e) {
      throw new ConfigError([`config file '${file}': ${(e as Error).message}`]);
    }
  }
  for (const [name, { key, kind }] of Object.entries(ENV_KEYS)) {
    const v = env[name];
    if (v === undefined || v === '') continue;
    if (kind === 'int' && !/^\d+$/.test(v)) {
      problems.push(`${name}: must be a whole number, got '${v}'`);
      continue;
    }
    setPath(raw, key, kind === 'int' ? Number(v) : v);
  }
  const withDefaults = Value.Default(ConfigSchema, structuredClone(raw)) as Record<string, unknown>;
  for (const err of Value.Errors(ConfigSchema, withDefaults)) {
    const key = err.path.replace(/^\//, '').replaceAll('/', '.') || '(top level)';
    const envName = Object.entries(ENV_KEYS).find(([, m]) => m.key === key)?.[0];
    const from = envName && env[envName] !== undefined ? ` (from ${envName})` : '';
    problems.push(`${key}${from}: ${describe(err.message, err.value, err.schema, key.includes('.'))}`);
  }
  problems.push(...literalSecrets(withDefaults.credentials));
  if (problems.length) throw new ConfigError(dedupe(problems));
  const cfg = withDefaults as unknown as Config;
  cfg.source = file ?? '(defaults and environment)';
  cfg.lab = opts.lab ?? false;
  cfg.adminToken = env.SIMPUL_ADMIN_TOKEN || (cfg.auth.adminToken ? readSecret(cfg.auth.adminToken, env) : undefined);
  if (cfg.adminToken !== undefined && cfg.adminToken.length < 16) throw new ConfigError(['SIMPUL_ADMIN_TOKEN: must be at least 16 characters long']);
  try {
    new Intl.DateTimeFormat('en', { timeZone: cfg.timezone });
  } catch {
    throw new ConfigError([`timezone: '${cfg.timezone}' is not an IANA time zone (use Asia/Jakarta, Asia/Makassar or Asia/Jayapura)`]);
  }
  return cfg;
}

/** Resolves a secret reference to its value; the value is never logged. */
export function readSecret(ref: { env: string } | { file: string }, env: NodeJS.ProcessEnv = process.env): string {
  if ('env' in ref) {
    const v = env[ref.env];
    if (v === undefined) throw new ConfigError([`secret: environment variable ${ref.env} is not set`]);
    return v;
  }
  try {
    return readFileSync(ref.file, 'utf8').trim();
  } catch (e) {
    throw new ConfigError([`secret: cannot read file '${ref.file}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`]);
  }
}

function literalSecrets(credentials: unknown): string[] {
  const out: string[] = [];
  if (!credentials || typeof credentials !== 'object') return out;
  for (const [name, fields] of Object.entries(credentials)) {
    for (const [field, v] of Object.entries(fields as Record<string, unknown>)) {
      if (SECRET_FIELDS.has(field) && typeof v === 'string')
        out.push(`credentials.${name}.${field}: a secret must not be written in the config file; use { env: VARIABLE } or { file: /path/to/secret }`);
    }
  }
  return out;
}

function describe(
  message: string,
  value: unknown,
  schema: { description?: string; anyOf?: { const?: unknown }[]; properties?: object },
  nested = false,
): string {
  if (message.startsWith('Unexpected property')) {
    // inside a section, the keys it takes are few enough to name
    const allowed = nested && schema.properties ? `; allowed here: ${Object.keys(schema.properties).join(', ')}` : '';
    return `unknown key (check its spelling against deploy/simpul.example.yaml${allowed})`;
  }
  const shown = value === undefined ? 'nothing' : JSON.stringify(value);
  const got = `, got ${shown && shown.length > 60 ? shown.slice(0, 60) + '…' : shown}`;
  const consts = schema.anyOf?.map((s) => s.const).filter((c) => c !== undefined);
  if (consts?.length) return `must be one of ${consts.join(', ')}${got}`;
  if (schema.description && message.startsWith('Expected union')) return `must be ${schema.description}${got}`;
  return `${message.charAt(0).toLowerCase()}${message.slice(1)}${got}`;
}

function setPath(obj: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let cur = obj;
  for (const p of parts.slice(0, -1)) {
    if (typeof cur[p] !== 'object' || cur[p] === null) cur[p] = {};
    cur = cur[p] as Record<string, unknown>;
  }
  cur[parts.at(-1)!] = value;
}

const dedupe = (xs: string[]) => [...new Set(xs)];
