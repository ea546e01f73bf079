import { Type } from '@sinclair/typebox';
import { POOL_ROLES } from './service.js';
import { TextLine, TextLines } from '../http/schemas.js';
import { OpdCode } from '../inventory/model.js';

// The bodies of the IPAM write routes. The importer checks its rows against these same schemas
// (compiled by the same validator), so a spreadsheet cannot bring in what the API would refuse.

const Str = (max: number) => TextLine(max);
const Hostname = Type.String({ maxLength: 253, pattern: '^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$' });
const Mac = Type.String({ pattern: '^[0-9A-Fa-f]{2}([:-][0-9A-Fa-f]{2}){5}$' });

export const CreatePool = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9][A-Za-z0-9 ._-]*$' }),
    scope: Type.Union([Type.Literal('public'), Type.Literal('private')]),
    cidr: Str(64),
    role: Type.String({ minLength: 2, maxLength: 32, pattern: '^[a-z0-9-]+$', description: `${POOL_ROLES.join(', ')}, or another the NOC adds` }),
    description: Type.Optional(TextLines(500, 0)),
    p2pLength: Type.Optional(Type.Union([Type.Literal(30), Type.Literal(31)])),
    gateway: Type.Optional(Type.Union([Type.Literal('first'), Type.Literal('last'), Type.Literal('none')])),
  },
  { additionalProperties: false },
);
export const Allocate = Type.Object(
  {
    opd: OpdCode(),
    purpose: TextLines(200),
    prefixLength: Type.Optional(Type.Integer({ minimum: 0, maximum: 128 })),
    addresses: Type.Optional(
      Type.Union([Type.Integer(), Type.String({ pattern: '^-?[0-9]{1,40}$' })], { description: 'a number, or a decimal string for IPv6 sizes' }),
    ),
    prefix: Type.Optional(Str(64)),
    strategy: Type.Optional(Type.Union([Type.Literal('first-fit'), Type.Literal('best-fit')])),
    idempotencyKey: Type.Optional(Type.String({ minLength: 8, maxLength: 128 })),
  },
  { additionalProperties: false },
);
export const Assign = Type.Object(
  {
    address: Type.Optional(Str(64)),
    hostname: Type.Optional(Hostname),
    mac: Type.Optional(Mac),
    device: Type.Optional(TextLine(63, 0)),
    description: Type.Optional(TextLines(500, 0)),
    gateway: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

// Descriptive fields only: where a block is and who owns it change through allocation and release.
/** Each descriptive field as it is written, shared by the PATCH bodies and the pages' forms. */
export const DescriptiveFields = {
  purpose: TextLines(200),
  poolDescription: TextLines(500, 0),
  hostname: Hostname,
  mac: Mac,
  device: TextLine(63, 0),
  description: TextLines(500, 0),
};
const OrNull = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);
export const PatchPrefix = Type.Object({ purpose: DescriptiveFields.purpose }, { additionalProperties: false });
export const PatchPool = Type.Object({ description: DescriptiveFields.poolDescription }, { additionalProperties: false });
export const PatchAddress = Type.Object(
  {
    hostname: Type.Optional(OrNull(DescriptiveFields.hostname)),
    mac: Type.Optional(OrNull(DescriptiveFields.mac)),
    device: Type.Optional(OrNull(DescriptiveFields.device)),
    description: Type.Optional(DescriptiveFields.description),
  },
  { additionalProperties: false, minProperties: 1, description: 'null clears hostname, MAC or device' },
);
