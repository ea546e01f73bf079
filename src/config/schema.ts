import { Type, type Static } from '@sinclair/typebox';

/** A secret value is never written in a config file: it is read from the environment or a file. */
export const SecretRef = Type.Union([
  Type.Object({ env: Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*$' }) }, { additionalProperties: false }),
  Type.Object({ file: Type.String({ minLength: 1 }) }, { additionalProperties: false }),
], { description: '{ env: VARIABLE } or { file: /path/to/secret }' });

/** Field names that hold secrets: a literal value for them is refused. */
export const SECRET_FIELDS = new Set(['password', 'community', 'authKey', 'privKey', 'token', 'passphrase', 'privateKey']);

export const Credential = Type.Record(Type.String({ pattern: '^[A-Za-z][A-Za-z0-9]*$' }), Type.Union([Type.String(), SecretRef], { description: 'a plain value, { env: VARIABLE } or { file: /path/to/secret }' }));

export const ConfigSchema = Type.Object(
  {
    host: Type.String({ minLength: 1, default: '127.0.0.1' }),
    port: Type.Integer({ minimum: 0, maximum: 65535, default: 8080 }),
    dataDir: Type.String({ minLength: 1, default: './data' }),
    inventory: Type.String({ minLength: 1, default: './inventory' }),
    /** IANA zone the pages show times in: Asia/Jakarta (WIB), Asia/Makassar (WITA), Asia/Jayapura (WIT). */
    timezone: Type.String({ default: 'Asia/Jakarta' }),
    log: Type.Object(
      { level: Type.Union(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)), { default: 'info' }) },
      { additionalProperties: false, default: {} },
    ),
    http: Type.Object(
      {
        bodyLimitBytes: Type.Integer({ minimum: 1024, maximum: 268435456, default: 1048576 }),
        trustProxy: Type.Boolean({ default: false }),
      },
      { additionalProperties: false, default: {} },
    ),
    auth: Type.Object(
      {
        adminToken: Type.Optional(SecretRef),
        defaultTokenTtlDays: Type.Integer({ minimum: 0, maximum: 3650, default: 365 }),
      },
      { additionalProperties: false, default: {} },
    ),
    audit: Type.Object(
      { keyFile: Type.Optional(Type.String({ minLength: 1 })) },
      { additionalProperties: false, default: {} },
    ),
    ipam: Type.Object(
      {
        /** Days a released prefix or address waits before it can be handed out again. */
        quarantineDays: Type.Integer({ minimum: 0, maximum: 3650, default: 30 }),
      },
      { additionalProperties: false, default: {} },
    ),
    metrics: Type.Object(
      { token: Type.Optional(SecretRef) },
      { additionalProperties: false, default: {} },
    ),
    /** Named credentials the inventory refers to by name (routers, SNMP). */
    credentials: Type.Record(Type.String({ pattern: '^[a-z0-9][a-z0-9-]*$' }), Credential, { default: {} }),
  },
  { additionalProperties: false },
);

export type Config = Static<typeof ConfigSchema> & {
  /** Where each value came from, for error messages and `simpul config show`. */
  source: string;
  adminToken?: string;
  lab: boolean;
};
