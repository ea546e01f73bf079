import { Type, type Static, type StringOptions, type TLiteral, type TUnion } from '@sinclair/typebox';

/** An OPD's code, 2-12 capital letters or digits (DINKES): the one definition schemas, file names and labels use. */
export const OPD_CODE = '[A-Z0-9]{2,12}';
export const OPD_CODE_RE = new RegExp(`^${OPD_CODE}$`);
export const OpdCode = (options: StringOptions = {}) =>
  Type.String({ description: '2-12 capital letters or digits, e.g. DINKES', ...options, pattern: `^${OPD_CODE}$` });

const Code = OpdCode();
const Id = Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,62}$', description: 'lowercase letters, digits and dashes, e.g. dinkes-sw01' });
const CredentialName = Type.String({ pattern: '^[a-z0-9][a-z0-9-]*$', description: 'a name under credentials: in the config' });

export const OpdKinds = ['sekretariat', 'dinas', 'badan', 'inspektorat', 'kecamatan', 'rsud', 'kantor', 'satuan'] as const;
export const DeviceRoles = ['router', 'switch', 'ap', 'server', 'firewall', 'olt'] as const;

const lit = <T extends string>(xs: readonly T[]) =>
  Type.Union(
    xs.map((x) => Type.Literal(x)),
    { description: `one of ${xs.join(', ')}` },
  ) as unknown as TUnion<TLiteral<T>[]>;

export const RegencyFile = Type.Object(
  {
    regency: Type.Object(
      {
        name: Type.String({ minLength: 3 }),
        province: Type.String({ minLength: 3 }),
        domain: Type.Optional(Type.String()),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);

export const SiteSchema = Type.Object(
  {
    id: Id,
    name: Type.String({ minLength: 2 }),
    address: Type.Optional(Type.String()),
    floors: Type.Optional(Type.Integer({ minimum: 1, maximum: 99 })),
  },
  { additionalProperties: false },
);

export const DeviceSchema = Type.Object(
  {
    id: Id,
    name: Type.String({ minLength: 2 }),
    role: lit(DeviceRoles),
    vendor: Type.String({ minLength: 2 }),
    model: Type.String({ minLength: 1 }),
    site: Id,
    /** The device part of cable labels, e.g. SW01 (see the label grammar). */
    label: Type.Optional(Type.String({ pattern: '^[A-Z]{2,3}[0-9]{2,3}$' })),
    /** Where it sits, in the label grammar's space code, e.g. L1R02. */
    space: Type.Optional(Type.String({ pattern: '^([A-Z0-9]{1,4}-)?L[0-9]{1,2}R[0-9]{2}$' })),
    mgmt: Type.String({ description: 'management IPv4 or IPv6 address' }),
    /** Either a port count (ports 1..N) or the interface names. */
    ports: Type.Optional(Type.Integer({ minimum: 1, maximum: 1024 })),
    interfaces: Type.Optional(Type.Array(Type.String({ pattern: '^[A-Za-z0-9/._-]{1,64}$' }), { maxItems: 1024 })),
    routeros: Type.Optional(
      Type.Object(
        {
          credentials: CredentialName,
          tls: Type.Optional(Type.Boolean()),
          port: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535 })),
          version: Type.Optional(Type.String({ pattern: '^[0-9]+\\.[0-9]+(\\.[0-9]+)?$' })),
          sshPort: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535 })),
        },
        { additionalProperties: false },
      ),
    ),
    /** The remote site agent of this OPD that polls the device (SNMP); absent: the controller polls it. */
    agent: Type.Optional(Id),
    snmp: Type.Optional(
      Type.Object(
        {
          version: Type.Union([Type.Literal('2c'), Type.Literal('3')], { description: "'2c' or '3'" }),
          credentials: CredentialName,
          port: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535 })),
          intervalSeconds: Type.Optional(Type.Integer({ minimum: 5, maximum: 3600 })),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

export const OpdSchema = Type.Object(
  { code: Code, name: Type.String({ minLength: 3 }), kind: lit(OpdKinds), head: Type.Optional(Type.String()) },
  { additionalProperties: false },
);

/** A remote site agent: a small program at the office that polls its devices and reports to Simpul. */
export const AgentSchema = Type.Object(
  {
    id: Id,
    description: Type.Optional(Type.String({ maxLength: 200 })),
    pollIntervalSeconds: Type.Optional(Type.Integer({ minimum: 5, maximum: 3600 })),
  },
  { additionalProperties: false },
);

export const OpdFile = Type.Object(
  {
    opd: OpdSchema,
    sites: Type.Array(SiteSchema, { minItems: 1 }),
    devices: Type.Array(DeviceSchema, { default: [] }),
    agents: Type.Optional(Type.Array(AgentSchema, { maxItems: 64 })),
  },
  { additionalProperties: false },
);

const End = Type.Object({ device: Id, port: Type.String({ minLength: 1, maxLength: 64 }) }, { additionalProperties: false });
export const LinkSchema = Type.Object(
  {
    id: Id,
    a: End,
    b: End,
    capacityMbps: Type.Number({ exclusiveMinimum: 0, maximum: 400000, description: 'contracted capacity in Mbit/s' }),
    medium: Type.Optional(lit(['fiber', 'copper', 'wireless', 'vpn'] as const)),
    provider: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);
export const BackboneFile = Type.Object({ links: Type.Array(LinkSchema) }, { additionalProperties: false });

export type Site = Static<typeof SiteSchema> & { opd: string };
export type Device = Static<typeof DeviceSchema> & { opd: string };
export type Link = Static<typeof LinkSchema>;
export type Agent = Static<typeof AgentSchema> & { opd: string };
export interface Opd {
  code: string;
  name: string;
  kind: (typeof OpdKinds)[number];
  head?: string;
}

/** Where an object was defined, for messages an operator can follow. */
export interface SourceRef {
  file: string;
  line: number;
}

export interface Inventory {
  regency: Static<typeof RegencyFile>['regency'];
  opds: Opd[];
  sites: Site[];
  devices: Device[];
  links: Link[];
  /** Remote site agents, from the OPD files' `agents:` (absent: none). */
  agents?: Agent[];
}

export interface InventoryProblem extends SourceRef {
  path: string;
  message: string;
}
