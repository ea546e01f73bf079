import { DEFAULT_TIMEZONE } from '../common/time.js';
import { Type, type Static } from '@sinclair/typebox';

/** A secret value is never written in a config file: it is read from the environment or a file. */
export const SecretRef = Type.Union(
  [
    Type.Object({ env: Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*$' }) }, { additionalProperties: false }),
    Type.Object({ file: Type.String({ minLength: 1 }) }, { additionalProperties: false }),
  ],
  { description: '{ env: VARIABLE } or { file: /path/to/secret }' },
);

/** Field names that hold secrets: a literal value for them is refused. */
export const SECRET_FIELDS = new Set(['password', 'community', 'authKey', 'privKey', 'token', 'passphrase', 'privateKey']);

const CredentialValue = Type.Optional(Type.Union([Type.String(), SecretRef], { description: 'a plain value, { env: VARIABLE } or { file: /path/to/secret }' }));

/**
 * The fields a credential may hold, named so a misspelt one (`pasword:`) stops the start instead of
 * leaving the device without a password: RouterOS API and SSH (username or user, password,
 * privateKey with passphrase, caFile for API-SSL), SNMP v2c (community), SNMPv3 (user,
 * authProtocol, authKey, privProtocol, privKey).
 */
export const Credential = Type.Object(
  Object.fromEntries(
    ['username', 'user', 'password', 'privateKey', 'passphrase', 'caFile', 'community', 'authProtocol', 'authKey', 'privProtocol', 'privKey'].map((k) => [
      k,
      CredentialValue,
    ]),
  ),
  { additionalProperties: false },
);

export const ConfigSchema = Type.Object(
  {
    host: Type.String({ minLength: 1, default: '127.0.0.1' }),
    port: Type.Integer({ minimum: 0, maximum: 65535, default: 8080 }),
    dataDir: Type.String({ minLength: 1, default: './data' }),
    inventory: Type.String({ minLength: 1, default: './inventory' }),
    /** IANA zone the pages show times in: Asia/Jakarta (WIB), Asia/Makassar (WITA), Asia/Jayapura (WIT). */
    timezone: Type.String({ default: DEFAULT_TIMEZONE }),
    log: Type.Object(
      {
        level: Type.Union(
          ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
          { default: 'info' },
        ),
      },
      { additionalProperties: false, default: {} },
    ),
    http: Type.Object(
      {
        bodyLimitBytes: Type.Integer({ minimum: 1024, maximum: 268435456, default: 1048576 }),
        trustProxy: Type.Boolean({ default: false }),
        /** The address people reach Simpul's pages at (behind the reverse proxy); mail links to it. */
        publicUrl: Type.Optional(Type.String({ pattern: '^https?://[^\\s/]+(/\\S*)?$', description: 'an http:// or https:// URL' })),
        /**
         * A second listener serving the same routes over HTTPS, for what devices and remote agents
         * fetch from Simpul directly (routers' DNS adlists, agents). Lab mode serves it with a lab
         * certificate for 127.0.0.1 on a free port when unset.
         */
        tls: Type.Optional(
          Type.Object(
            {
              host: Type.Optional(Type.String({ minLength: 1, description: 'defaults to the HTTP host' })),
              port: Type.Integer({ minimum: 0, maximum: 65535, default: 8443 }),
              certFile: Type.String({ minLength: 1, description: 'PEM certificate chain' }),
              keyFile: Type.String({ minLength: 1, description: 'PEM private key' }),
              /** How devices and agents reach this listener (https://simpul.example.go.id:8443); defaults to https://host:port. */
              url: Type.Optional(Type.String({ pattern: '^https://[^\\s/]+$', description: 'an https:// URL without a path' })),
            },
            { additionalProperties: false },
          ),
        ),
      },
      { additionalProperties: false, default: {} },
    ),
    auth: Type.Object(
      {
        adminToken: Type.Optional(SecretRef),
        defaultTokenTtlDays: Type.Integer({ minimum: 0, maximum: 3650, default: 365 }),
        /** Browser sessions of people's accounts: ended after idleMinutes without a request, and absoluteHours after login. */
        session: Type.Object(
          {
            idleMinutes: Type.Integer({ minimum: 1, maximum: 1440, default: 30 }),
            absoluteHours: Type.Integer({ minimum: 1, maximum: 720, default: 12 }),
          },
          { additionalProperties: false, default: {} },
        ),
        /** Failed logins: an account locks after maxFailures in a row; an address is throttled after addressMaxFailures in addressWindowMinutes. */
        login: Type.Object(
          {
            maxFailures: Type.Integer({ minimum: 1, maximum: 100, default: 5 }),
            lockMinutes: Type.Integer({ minimum: 1, maximum: 10080, default: 15 }),
            addressMaxFailures: Type.Integer({ minimum: 1, maximum: 10000, default: 20 }),
            addressWindowMinutes: Type.Integer({ minimum: 1, maximum: 1440, default: 15 }),
          },
          { additionalProperties: false, default: {} },
        ),
      },
      { additionalProperties: false, default: {} },
    ),
    audit: Type.Object({ keyFile: Type.Optional(Type.String({ minLength: 1 })) }, { additionalProperties: false, default: {} }),
    ipam: Type.Object(
      {
        /** Days a released prefix or address waits before it can be handed out again. */
        quarantineDays: Type.Integer({ minimum: 0, maximum: 3650, default: 30 }),
      },
      { additionalProperties: false, default: {} },
    ),
    /** Site blocking: lists, imports, unblock exceptions, and how routers enforce them. */
    blocking: Type.Object(
      {
        /** Push block lists to OPD routers as desired state. */
        enforce: Type.Boolean({ default: true }),
        /** A filter rule on each OPD router drops DNS from its LAN to resolvers other than the router. */
        dropForeignDns: Type.Boolean({ default: true }),
        /** Also drop HTTPS by SNI (tls-host) for blocked domains that clients reach by IP. */
        sniRules: Type.Boolean({ default: false }),
        /** The RouterOS address-list blocked addresses and prefixes go into. */
        listName: Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$', default: 'simpul-block' }),
        /** Most entries the plan puts on one router, per inventory model; `default` for the rest. */
        modelLimits: Type.Record(Type.String({ minLength: 1 }), Type.Integer({ minimum: 0, maximum: 10000000 }), { default: { default: 20000 } }),
        /** How often exceptions past their end are marked expired (effective lists ignore them at once anyway). */
        expirySweepSeconds: Type.Integer({ minimum: 1, maximum: 86400, default: 60 }),
        /** Largest list file an import reads; a bigger one is refused with 413. */
        maxImportBytes: Type.Integer({ minimum: 1024, maximum: 2147483647, default: 134217728 }),
        /** Longer lines are reported invalid without being held. */
        maxLineBytes: Type.Integer({ minimum: 256, maximum: 1048576, default: 4096 }),
        /** Prefixes shorter than these are refused as too broad to be a site. */
        minPrefixLengthV4: Type.Integer({ minimum: 1, maximum: 32, default: 8 }),
        minPrefixLengthV6: Type.Integer({ minimum: 1, maximum: 128, default: 16 }),
        /** Longest unblock exception, in days from approval. */
        maxExceptionDays: Type.Integer({ minimum: 1, maximum: 3650, default: 365 }),
        /** RouterOS 7.15+ routers fetch their OPD's names from Simpul (`/ip/dns/adlist`) instead of one static entry per name. */
        adlist: Type.Object(
          {
            enabled: Type.Boolean({ default: false }),
            /** Addresses or prefixes besides each router's management address that may fetch its list (a NAT in between). */
            allowFrom: Type.Array(Type.String({ minLength: 2, maxLength: 43 }), { default: [] }),
            /** How long after a reload a router may take to show names before it is degraded. */
            reloadWaitSeconds: Type.Number({ minimum: 0.1, maximum: 600, default: 30 }),
          },
          { additionalProperties: false, default: {} },
        ),
        /** `use-application-dns.net` answered NXDOMAIN on every router, so Firefox leaves its DNS over HTTPS off. */
        dohCanary: Type.Boolean({ default: true }),
      },
      { additionalProperties: false, default: {} },
    ),
    /** SNMP polling of devices with `snmp:` in the inventory; a device's own intervalSeconds wins. */
    snmp: Type.Object(
      {
        intervalSeconds: Type.Integer({ minimum: 1, maximum: 3600, default: 60 }),
        timeoutMs: Type.Integer({ minimum: 100, maximum: 60000, default: 2000 }),
        retries: Type.Integer({ minimum: 0, maximum: 10, default: 1 }),
        maxRepetitions: Type.Integer({ minimum: 1, maximum: 200, default: 25 }),
        /** Devices polled at the same time, at most: a slow device never holds up the others beyond this. */
        maxConcurrent: Type.Integer({ minimum: 1, maximum: 1024, default: 32 }),
      },
      { additionalProperties: false, default: {} },
    ),
    /** Remote site agents (inventory `agents:`): how much an agent keeps while the controller is out of reach. */
    agents: Type.Object(
      {
        queueMaxAgeSeconds: Type.Integer({ minimum: 60, maximum: 30 * 86400, default: 7 * 86400 }),
        queueMaxBytes: Type.Integer({ minimum: 1048576, maximum: 64 * 1073741824, default: 256 * 1048576 }),
      },
      { additionalProperties: false, default: {} },
    ),
    /** Cable label grammar; absent = the default (OPD.SPACE.DEVICE:PORT/OPD.SPACE.DEVICE:PORT). Checked at start. */
    labels: Type.Object(
      {
        grammar: Type.Optional(
          Type.Object(
            {
              endSeparator: Type.String({ minLength: 1, maxLength: 3 }),
              example: Type.String({ minLength: 3, maxLength: 256 }),
              maxLength: Type.Optional(Type.Integer({ minimum: 8, maximum: 256 })),
              parts: Type.Array(
                Type.Object(
                  {
                    name: Type.String({ minLength: 1, maxLength: 32 }),
                    pattern: Type.String({ minLength: 1, maxLength: 300 }),
                    after: Type.Optional(Type.String({ minLength: 1, maxLength: 3 })),
                    title: Type.Optional(Type.Object({ id: Type.String(), en: Type.String() }, { additionalProperties: false })),
                    rule: Type.Optional(Type.Object({ id: Type.String(), en: Type.String() }, { additionalProperties: false })),
                  },
                  { additionalProperties: false },
                ),
                { minItems: 2, maxItems: 12 },
              ),
            },
            { additionalProperties: false },
          ),
        ),
      },
      { additionalProperties: false, default: {} },
    ),
    /** LAN diagram uploads: the yearly deadline and the parser limits. */
    topology: Type.Object(
      {
        deadlineDays: Type.Integer({ minimum: 1, maximum: 3650, default: 365 }),
        maxUploadBytes: Type.Integer({ minimum: 1024, maximum: 104857600, default: 10485760 }),
        maxInflatedBytes: Type.Integer({ minimum: 1024, maximum: 209715200, default: 20971520 }),
        maxPages: Type.Integer({ minimum: 1, maximum: 1000, default: 50 }),
        maxNodes: Type.Integer({ minimum: 1, maximum: 100000, default: 5000 }),
        maxLinks: Type.Integer({ minimum: 1, maximum: 400000, default: 20000 }),
        /** Uploads up to this size are kept byte for byte next to the parsed version; 0 = never. */
        keepOriginalMaxBytes: Type.Integer({ minimum: 0, maximum: 104857600, default: 2097152 }),
        maxSurveyBytes: Type.Integer({ minimum: 1024, maximum: 104857600, default: 2097152 }),
      },
      { additionalProperties: false, default: {} },
    ),
    /** Router config backups over SSH (`/export`, secrets masked before storage). */
    backup: Type.Object(
      {
        /** Hours between scheduled backups of every router; 0 = on demand only. */
        intervalHours: Type.Number({ minimum: 0, maximum: 500, default: 24 }),
        /** Wait after start before the first scheduled pass (lab mode waits at most 5 s). */
        startDelaySeconds: Type.Integer({ minimum: 0, maximum: 86400, default: 300 }),
        /** Routers backed up at the same time, at most. */
        concurrency: Type.Integer({ minimum: 1, maximum: 256, default: 4 }),
        /** One backup, connect to last byte. */
        timeoutSeconds: Type.Integer({ minimum: 1, maximum: 3600, default: 60 }),
        /** A larger export is refused (not stored). */
        maxBytes: Type.Integer({ minimum: 1024, maximum: 1073741824, default: 33554432 }),
        /** Fetch secrets too (RouterOS 7 `show-sensitive`) so a changed secret shows as a changed digest; they are masked either way. */
        showSensitive: Type.Boolean({ default: true }),
        /** `/export terse`: every line names its menu, so each diff line reads on its own. */
        terse: Type.Boolean({ default: true }),
        /** Simpul's own database, shipped encrypted to the DRC and restore-tested (src/db-backup, README "Disaster recovery"). */
        database: Type.Object(
          {
            /** Hours between snapshots; 0 = on demand only. */
            intervalHours: Type.Number({ minimum: 0, maximum: 720, default: 6 }),
            /** Hours between restore tests of the newest backup, fetched back from the target; 0 = on demand only. */
            restoreTestHours: Type.Number({ minimum: 0, maximum: 720, default: 24 }),
            /** 32-byte key (raw or 64 hex), mode 0600; default <dataDir>/backup.key, created on first start. Keep a copy at the DRC, apart from the backups. */
            keyFile: Type.Optional(Type.String({ minLength: 1 })),
            /** One transfer to or from the target, connect to last byte. */
            timeoutSeconds: Type.Integer({ minimum: 1, maximum: 86400, default: 3600 }),
            /** Where backups go; absent = no database backups. */
            target: Type.Optional(
              Type.Union(
                [
                  Type.Object({ type: Type.Literal('dir'), path: Type.String({ minLength: 1 }) }, { additionalProperties: false }),
                  Type.Object(
                    {
                      type: Type.Literal('sftp'),
                      host: Type.String({ minLength: 1 }),
                      port: Type.Integer({ minimum: 1, maximum: 65535, default: 22 }),
                      /** Default: the credential's username. */
                      username: Type.Optional(Type.String({ minLength: 1 })),
                      /** A name under credentials: (password or privateKey as secret references). */
                      credentials: Type.String({ pattern: '^[a-z0-9][a-z0-9-]*$' }),
                      path: Type.String({ minLength: 1 }),
                      /** The DRC server's host key as `ssh-keygen -lf` prints it; any other key is refused. */
                      hostKey: Type.String({ pattern: '^SHA256:[A-Za-z0-9+/]{43}$' }),
                    },
                    { additionalProperties: false },
                  ),
                ],
                { description: '{ type: dir, path } or { type: sftp, host, port, credentials, path, hostKey }' },
              ),
            ),
            /** How many of the newest backups to keep per hour, day, ISO week and month; pruned only after a newer one passed its restore test. */
            retention: Type.Object(
              {
                hourly: Type.Integer({ minimum: 0, maximum: 1000, default: 24 }),
                daily: Type.Integer({ minimum: 0, maximum: 1000, default: 7 }),
                weekly: Type.Integer({ minimum: 0, maximum: 1000, default: 4 }),
                monthly: Type.Integer({ minimum: 0, maximum: 1000, default: 12 }),
              },
              { additionalProperties: false, default: {} },
            ),
          },
          { additionalProperties: false, default: {} },
        ),
      },
      { additionalProperties: false, default: {} },
    ),
    /** MikroTik desired state: how often drift is checked, whether it is corrected, and limits. */
    routeros: Type.Object(
      {
        driftIntervalSeconds: Type.Integer({ minimum: 10, maximum: 86400, default: 300 }),
        correctDrift: Type.Boolean({ default: true }),
        autoApply: Type.Boolean({ default: true }),
        maxConcurrent: Type.Integer({ minimum: 1, maximum: 256, default: 8 }),
        requestTimeoutSeconds: Type.Integer({ minimum: 1, maximum: 600, default: 30 }),
        connectTimeoutSeconds: Type.Integer({ minimum: 1, maximum: 120, default: 10 }),
        /** Inventory ids of the core and the internet edge router; default: found from the backbone links. */
        coreRouter: Type.Optional(Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,62}$' })),
        edgeRouter: Type.Optional(Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,62}$' })),
      },
      { additionalProperties: false, default: {} },
    ),
    /** In-app notifications and their mail (see README "Notifications"). */
    notifications: Type.Object(
      {
        /** Which kinds are mailed; switched off, a kind still shows in the person's in-app list. */
        kinds: Type.Object(
          {
            requestFiled: Type.Boolean({ default: true }),
            requestDecided: Type.Boolean({ default: true }),
            exceptionEnding: Type.Boolean({ default: true }),
            diagramDue: Type.Boolean({ default: true }),
          },
          { additionalProperties: false, default: {} },
        ),
        /** How often ending exceptions and diagram deadlines are looked for. */
        scanSeconds: Type.Integer({ minimum: 10, maximum: 86400, default: 3600 }),
        exceptionEndingDays: Type.Integer({ minimum: 1, maximum: 60, default: 3 }),
        diagramDueDays: Type.Integer({ minimum: 1, maximum: 365, default: 30 }),
        mail: Type.Object(
          {
            enabled: Type.Boolean({ default: false }),
            /** How often the outbox is checked for mail whose retry is due (new mail goes at once). */
            pollSeconds: Type.Integer({ minimum: 1, maximum: 3600, default: 30 }),
            /** Retry after a failure: minSeconds, doubling up to maxSeconds; mail is never dropped. */
            retryMinSeconds: Type.Integer({ minimum: 1, maximum: 86400, default: 60 }),
            retryMaxSeconds: Type.Integer({ minimum: 1, maximum: 604800, default: 3600 }),
            /** One delivery, connect to the server's answer. */
            timeoutSeconds: Type.Integer({ minimum: 1, maximum: 600, default: 30 }),
          },
          { additionalProperties: false, default: {} },
        ),
        /** The SMTP server mail goes through; required when mail.enabled. */
        smtp: Type.Optional(
          Type.Object(
            {
              host: Type.String({ minLength: 1 }),
              port: Type.Integer({ minimum: 1, maximum: 65535, default: 587 }),
              /** true: TLS from the first byte (port 465); false: STARTTLS when the server offers it. */
              secure: Type.Boolean({ default: false }),
              /** Refuse to send without STARTTLS (on a port that is not `secure`). */
              requireTls: Type.Boolean({ default: false }),
              from: Type.String({ minLength: 3, description: 'e.g. "Simpul Diskominfo <simpul@example.go.id>"' }),
              auth: Type.Optional(Type.Object({ username: Type.String({ minLength: 1 }), password: SecretRef }, { additionalProperties: false })),
            },
            { additionalProperties: false },
          ),
        ),
      },
      { additionalProperties: false, default: {} },
    ),
    metrics: Type.Object({ token: Type.Optional(SecretRef) }, { additionalProperties: false, default: {} }),
    /** Grafana serving deploy/grafana's dashboards: the NOC's backbone page links to its panels; no links when unset. */
    grafana: Type.Object(
      {
        url: Type.Optional(
          Type.String({ pattern: '^https?://[^\\s/]+(/\\S*)?$', description: 'an http:// or https:// URL, e.g. https://grafana.example.go.id' }),
        ),
      },
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
