/**
 * The wire contract between a remote site agent and the controller: paths, headers, TypeBox
 * schemas of every body, and the codec between a `DevicePoll` (bigint counters) and its JSON
 * form (decimal strings). Shared by the server routes and the agent program.
 *
 *   POST /api/v1/agents/{id}/enroll    { code, hostname?, agentVersion } -> { agentId, secret }   (no auth; one-time code)
 *   GET  /api/v1/agents/{id}/config    -> AgentConfig                                              (agent auth)
 *   POST /api/v1/agents/{id}/batches   AgentBatch -> { acked, configVersion }                      (agent auth)
 *
 * Agent auth: `Authorization: Agent <agentId>.<secret>`. Every agent-auth reply carries
 * `Simpul-Config-Version`; when it differs from the agent's, the agent fetches its config again.
 */
import { Type, type Static } from '@sinclair/typebox';
import { TEXT_LINE_PATTERN } from '../common/text.js';
import { TICKS_MOD, type InterfaceReading, type TotalKey } from '../snmp/counters.js';
import type { LldpNeighbor } from '../snmp/lldp.js';
import type { DevicePoll, InterfacePoll } from '../snmp/reader.js';
import { POLL_ERROR_REASONS, type PollTarget } from '../snmp/session.js';

export const AGENT_AUTH_SCHEME = 'Agent';
export const CONFIG_VERSION_HEADER = 'Simpul-Config-Version';
/** The batches route refuses bodies above this (a day of backlog is sent as several batches). */
export const MAX_BATCH_BYTES = 8 * 1024 * 1024;
/** A batch or poll time this far ahead of the controller's clock means the agent's clock jumped. */
export const MAX_CLOCK_AHEAD_MS = 5 * 60_000;

export const agentPaths = (agentId: string) => {
  const base = `/api/v1/agents/${encodeURIComponent(agentId)}`;
  return { enroll: `${base}/enroll`, config: `${base}/config`, batches: `${base}/batches` };
};

/** `Authorization` header value of an enrolled agent. */
export const agentAuthorization = (agentId: string, secret: string): string => `${AGENT_AUTH_SCHEME} ${agentId}.${secret}`;

/** Agent ids name an agent in the inventory (an OPD's `agents:` list). */
export const AGENT_ID_PATTERN = '^[a-z0-9][a-z0-9-]{0,62}$';
export const AgentId = Type.String({ pattern: AGENT_ID_PATTERN, description: 'lowercase letters, digits and dashes, e.g. dinkes-agent' });

const Line = (maxLength: number, minLength = 0) => Type.String({ minLength, maxLength, pattern: TEXT_LINE_PATTERN });
const Int = (minimum: number, maximum: number) => Type.Integer({ minimum, maximum });
const Ticks = Int(0, TICKS_MOD - 1);
const EpochMs = Int(0, 8.64e15);
/** An unsigned counter as a decimal string (up to 2^64 - 1; the range is checked on decode). */
const Counter = Type.String({ pattern: '^(0|[1-9][0-9]{0,19})$' });
/** Lengths and counts the controller accepts; the encoder keeps a device's odd answers inside them. */
const MAX = { name: 255, chassis: 512, reason: 2048, errors: 16, interfaces: 4096, neighbors: 1024 } as const;

// ---- enrollment ----

export const EnrollRequest = Type.Object(
  { code: Type.String({ minLength: 8, maxLength: 128, pattern: '^[A-Za-z0-9_-]+$' }), hostname: Type.Optional(Line(253, 1)), agentVersion: Line(64, 1) },
  { additionalProperties: false },
);
export type EnrollRequest = Static<typeof EnrollRequest>;
export const EnrollReply = Type.Object({ agentId: Type.String(), secret: Type.String() });
export type EnrollReply = Static<typeof EnrollReply>;

// ---- config ----

const Credentials = Type.Union([
  Type.Object({ version: Type.Literal('2c'), community: Type.String() }),
  Type.Object({
    version: Type.Literal('3'),
    user: Type.String(),
    authProtocol: Type.Optional(Type.Union([Type.Literal('sha224'), Type.Literal('sha256'), Type.Literal('sha384'), Type.Literal('sha512')])),
    authKey: Type.String(),
    privProtocol: Type.Optional(Type.Union([Type.Literal('aes'), Type.Literal('aes256b'), Type.Literal('aes256r')])),
    privKey: Type.String(),
  }),
]);
export const PollTargetWire = Type.Object({
  id: Type.String(),
  opd: Type.Optional(Type.String()),
  host: Type.String(),
  port: Type.Optional(Type.Integer()),
  credentials: Credentials,
  timeoutMs: Type.Optional(Type.Integer()),
  retries: Type.Optional(Type.Integer()),
  maxRepetitions: Type.Optional(Type.Integer()),
  intervalMs: Type.Optional(Type.Integer()),
  lldp: Type.Optional(Type.Boolean()),
  agent: Type.Optional(Type.String()),
});
export const AgentConfig = Type.Object({
  configVersion: Type.String(),
  pollIntervalSeconds: Type.Integer({ minimum: 1 }),
  targets: Type.Array(PollTargetWire),
  queue: Type.Object({ maxAgeSeconds: Type.Integer({ minimum: 1 }), maxBytes: Type.Integer({ minimum: 1 }) }),
});
export interface AgentConfig extends Omit<Static<typeof AgentConfig>, 'targets'> {
  targets: PollTarget[];
}

// ---- batches ----

const TicksByCounter = Type.Object(
  {
    inOctets: Type.Optional(Ticks),
    outOctets: Type.Optional(Ticks),
    inErrors: Type.Optional(Ticks),
    outErrors: Type.Optional(Ticks),
    inDiscards: Type.Optional(Ticks),
    outDiscards: Type.Optional(Ticks),
  } satisfies Record<TotalKey, unknown>,
  { additionalProperties: false },
);
const ReadingWire = Type.Object(
  {
    identity: Line(MAX.name),
    discontinuityTime: Type.Optional(Ticks),
    speedBps: Type.Optional(Type.Number({ minimum: 0, maximum: 1e15 })),
    octetBits: Type.Union([Type.Literal(32), Type.Literal(64)]),
    inOctets: Counter,
    outOctets: Counter,
    inErrors: Type.Optional(Counter),
    outErrors: Type.Optional(Counter),
    inDiscards: Type.Optional(Counter),
    outDiscards: Type.Optional(Counter),
    ticks: Type.Optional(TicksByCounter),
  },
  { additionalProperties: false },
);
const InterfaceWire = Type.Object(
  {
    ifIndex: Int(1, 2 ** 31 - 1),
    name: Line(MAX.name),
    descr: Line(MAX.name),
    alias: Line(MAX.name),
    operStatus: Type.Optional(Int(-(2 ** 31), 2 ** 31 - 1)),
    adminStatus: Type.Optional(Int(-(2 ** 31), 2 ** 31 - 1)),
    speedBps: Type.Optional(Type.Number({ minimum: 0, maximum: 1e15 })),
    wrongType: Type.Boolean(),
    reading: Type.Optional(ReadingWire),
  },
  { additionalProperties: false },
);
const NeighborWire = Type.Object(
  {
    localPortNum: Int(0, 2 ** 31 - 1),
    ifIndex: Type.Optional(Int(0, 2 ** 31 - 1)),
    ifName: Type.Optional(Line(MAX.name)),
    remIndex: Int(0, 2 ** 31 - 1),
    timeMark: Ticks,
    chassisIdSubtype: Int(0, 255),
    chassisId: Line(MAX.chassis),
    portIdSubtype: Int(0, 255),
    portId: Line(MAX.chassis),
    portDesc: Type.Optional(Line(MAX.name)),
    sysName: Type.Optional(Line(MAX.name)),
  },
  { additionalProperties: false },
);
export const DevicePollWire = Type.Object(
  {
    deviceId: Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,62}$' }),
    wallMs: EpochMs,
    durationSeconds: Type.Number({ minimum: 0, maximum: 86_400 }),
    state: Type.Union([Type.Literal('up'), Type.Literal('degraded'), Type.Literal('down')]),
    reason: Type.Optional(Line(MAX.reason)),
    errors: Type.Array(Type.Union(POLL_ERROR_REASONS.map((e) => Type.Literal(e))), { maxItems: MAX.errors }),
    sysName: Type.Optional(Line(MAX.name)),
    time: Type.Optional(Type.Object({ uptimeTicks: Ticks, wallMs: EpochMs }, { additionalProperties: false })),
    hasIfXTable: Type.Optional(Type.Boolean()),
    interfaces: Type.Optional(Type.Array(InterfaceWire, { maxItems: MAX.interfaces })),
    neighbors: Type.Optional(Type.Array(NeighborWire, { maxItems: MAX.neighbors })),
  },
  { additionalProperties: false },
);
export type DevicePollWire = Static<typeof DevicePollWire>;

export const AgentBatch = Type.Object(
  {
    batch: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }),
    createdAt: Type.String({ format: 'date-time', maxLength: 64 }),
    agentVersion: Line(64, 1),
    backlogBatches: Int(0, Number.MAX_SAFE_INTEGER),
    /** Samples the agent dropped for age or size since it was installed (cumulative). */
    droppedSamples: Int(0, Number.MAX_SAFE_INTEGER),
    /** Batches the agent dropped before this one, declared: [from, to] inclusive. */
    droppedBatches: Type.Optional(Type.Tuple([Type.Integer({ minimum: 1 }), Type.Integer({ minimum: 1 })])),
    polls: Type.Array(DevicePollWire, { maxItems: 20_000 }),
  },
  { additionalProperties: false },
);
export type AgentBatch = Static<typeof AgentBatch>;
export const BatchAck = Type.Object({ acked: Type.Integer(), configVersion: Type.String() });
export type BatchAck = Static<typeof BatchAck>;

// ---- codec ----

/** The controller refuses control characters and over-long text: a device's odd bytes become U+FFFD, long text is cut. */
const clean = (s: string, max: number = MAX.name): string => s.replace(/[\u0000-\u001f\u007f-\u009f]/gu, '\ufffd').slice(0, max);
const cleanOpt = (s: string | undefined, max: number = MAX.name): string | undefined => (s === undefined ? undefined : clean(s, max));

/** Drop undefined fields so the JSON is what the schema describes. */
function defined<T extends object>(o: T): T {
  for (const k of Object.keys(o) as Array<keyof T>) if (o[k] === undefined) delete o[k];
  return o;
}

function readingToWire(r: InterfaceReading): Static<typeof ReadingWire> {
  const str = (n: bigint | undefined) => (n === undefined ? undefined : n.toString());
  return defined({
    identity: clean(r.identity),
    discontinuityTime: r.discontinuityTime,
    speedBps: r.speedBps,
    octetBits: r.octetBits,
    inOctets: r.inOctets.toString(),
    outOctets: r.outOctets.toString(),
    inErrors: str(r.inErrors),
    outErrors: str(r.outErrors),
    inDiscards: str(r.inDiscards),
    outDiscards: str(r.outDiscards),
    ticks: r.ticks ? defined({ ...r.ticks }) : undefined,
  });
}

/** A poll as JSON: counters as decimal strings, device-supplied text and lists kept within what the controller accepts. */
export function pollToWire(p: DevicePoll): DevicePollWire {
  return defined({
    deviceId: p.deviceId,
    wallMs: p.wallMs,
    durationSeconds: p.durationSeconds,
    state: p.state,
    reason: cleanOpt(p.reason, MAX.reason),
    errors: p.errors.slice(0, MAX.errors),
    sysName: cleanOpt(p.sysName),
    time: p.time ? { ...p.time } : undefined,
    hasIfXTable: p.hasIfXTable,
    interfaces: p.interfaces?.slice(0, MAX.interfaces).map((i) =>
      defined({
        ifIndex: i.ifIndex,
        name: clean(i.name),
        descr: clean(i.descr),
        alias: clean(i.alias),
        operStatus: i.operStatus,
        adminStatus: i.adminStatus,
        speedBps: i.speedBps,
        wrongType: i.wrongType,
        reading: i.reading ? readingToWire(i.reading) : undefined,
      }),
    ),
    neighbors: p.neighbors?.slice(0, MAX.neighbors).map((n) =>
      defined({
        ...n,
        ifName: cleanOpt(n.ifName),
        chassisId: clean(n.chassisId, MAX.chassis),
        portId: clean(n.portId, MAX.chassis),
        portDesc: cleanOpt(n.portDesc),
        sysName: cleanOpt(n.sysName),
      }),
    ),
  });
}

export class ProtocolError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

const MAX_BITS = { 32: 1n << 32n, 64: 1n << 64n } as const;

/** A schema-valid poll back to its in-memory form; throws ProtocolError for a counter out of its range. */
export function pollFromWire(w: DevicePollWire, at = 'polls'): DevicePoll {
  const counter = (s: string | undefined, bits: 32 | 64, field: string): bigint | undefined => {
    if (s === undefined) return undefined;
    const n = BigInt(s);
    if (n >= MAX_BITS[bits]) throw new ProtocolError(field, `${field}: ${s} does not fit in a ${bits}-bit counter`);
    return n;
  };
  const interfaces = w.interfaces?.map((i, k): InterfacePoll => {
    const out: InterfacePoll = {
      ifIndex: i.ifIndex,
      name: i.name,
      descr: i.descr,
      alias: i.alias,
      operStatus: i.operStatus,
      adminStatus: i.adminStatus,
      speedBps: i.speedBps,
      wrongType: i.wrongType,
    };
    const r = i.reading;
    if (r) {
      const f = `${at}.interfaces.${k}.reading`;
      out.reading = {
        ifIndex: i.ifIndex,
        identity: r.identity,
        discontinuityTime: r.discontinuityTime,
        speedBps: r.speedBps,
        octetBits: r.octetBits,
        inOctets: counter(r.inOctets, r.octetBits, `${f}.inOctets`) as bigint,
        outOctets: counter(r.outOctets, r.octetBits, `${f}.outOctets`) as bigint,
        inErrors: counter(r.inErrors, 32, `${f}.inErrors`),
        outErrors: counter(r.outErrors, 32, `${f}.outErrors`),
        inDiscards: counter(r.inDiscards, 32, `${f}.inDiscards`),
        outDiscards: counter(r.outDiscards, 32, `${f}.outDiscards`),
        ticks: r.ticks ? { ...r.ticks } : undefined,
      };
    }
    return out;
  });
  const p: DevicePoll = { deviceId: w.deviceId, wallMs: w.wallMs, durationSeconds: w.durationSeconds, state: w.state, errors: [...w.errors] };
  if (w.reason !== undefined) p.reason = w.reason;
  if (w.sysName !== undefined) p.sysName = w.sysName;
  if (w.time) p.time = { ...w.time };
  if (w.hasIfXTable !== undefined) p.hasIfXTable = w.hasIfXTable;
  if (interfaces) p.interfaces = interfaces;
  if (w.neighbors) p.neighbors = w.neighbors.map((n) => ({ ...n }) as LldpNeighbor);
  return p;
}
