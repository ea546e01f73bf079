/** The part of net-snmp 3.29 that Simpul uses (the package ships no types). */
declare module 'net-snmp' {
  export const Version1: 0;
  export const Version2c: 1;
  export const Version3: 3;
  export type Version = 0 | 1 | 3;

  export const ObjectType: {
    Boolean: 1;
    Integer: 2;
    OctetString: 4;
    Null: 5;
    OID: 6;
    IpAddress: 64;
    Counter: 65;
    Counter32: 65;
    Gauge: 66;
    Gauge32: 66;
    Unsigned32: 66;
    TimeTicks: 67;
    Opaque: 68;
    Integer32: 2;
    Counter64: 70;
    NoSuchObject: 128;
    NoSuchInstance: 129;
    EndOfMibView: 130;
  };
  export const ErrorStatus: Record<string, number> & { NoError: 0; TooBig: 1; GeneralError: 5 };
  export const SecurityLevel: { noAuthNoPriv: 1; authNoPriv: 2; authPriv: 3 };
  export const AuthProtocols: { none: 1; md5: 2; sha: 3; sha224: 4; sha256: 5; sha384: 6; sha512: 7 };
  export const PrivProtocols: { none: 1; des: 2; aes: 4; aes256b: 6; aes256r: 8 };
  export const MibProviderType: { Scalar: 1; Table: 2 };
  export const MaxAccess: Record<'not-accessible' | 'accessible-for-notify' | 'read-only' | 'read-write' | 'read-create', number>;
  export const AccessControlModelType: { None: 0; Simple: 1 };

  export interface Varbind {
    oid: string;
    type?: number;
    value?: unknown;
  }

  export interface User {
    name: string;
    level: number;
    authProtocol?: number;
    authKey?: string;
    privProtocol?: number;
    privKey?: string;
  }

  export interface SessionOptions {
    port?: number;
    retries?: number;
    timeout?: number;
    backoff?: number;
    transport?: 'udp4' | 'udp6';
    version?: Version;
    backwardsGetNexts?: boolean;
    reportOidMismatchErrors?: boolean;
    idBitsSize?: 16 | 32;
    context?: string;
    engineID?: string;
  }

  export type VarbindsCallback = (error: Error | null, varbinds?: Varbind[]) => void;
  export type BulkCallback = (error: Error | null, varbinds?: Array<Varbind | Varbind[]>) => void;

  export interface Session {
    get(oids: string[], cb: VarbindsCallback): void;
    getNext(oids: string[], cb: VarbindsCallback): void;
    getBulk(oids: string[], nonRepeaters: number, maxRepetitions: number, cb: BulkCallback): void;
    close(): void;
    on(event: 'error', cb: (e: Error) => void): void;
    on(event: 'close', cb: () => void): void;
  }

  export function createSession(target: string, community: string, options?: SessionOptions): Session;
  export function createV3Session(target: string, user: User, options?: SessionOptions): Session;
  export function isVarbindError(vb: Varbind): boolean;
  export function varbindError(vb: Varbind): string;

  export class RequestTimedOutError extends Error {}
  export class RequestFailedError extends Error {
    status: number;
  }
  export class ResponseInvalidError extends Error {
    code: number;
  }
  export class RequestInvalidError extends Error {}

  export interface MibNode {
    oid: string;
    value: unknown;
    valueType: number;
  }
  export interface MibRequest {
    oid: string;
    operation: number;
    instanceNode: MibNode;
    done(error?: { errorStatus: number; type?: number; value?: unknown }): void;
  }
  export interface TableColumn {
    number: number;
    name: string;
    type: number;
    maxAccess: number;
  }
  export interface ProviderDefinition {
    name: string;
    type: number;
    oid: string;
    scalarType?: number;
    maxAccess: number;
    tableColumns?: TableColumn[];
    tableIndex?: Array<{ columnName: string } | { columnNumber: number }>;
    handler?: (req: MibRequest) => void;
  }
  export interface Mib {
    registerProvider(def: ProviderDefinition): void;
    setScalarValue(name: string, value: unknown): void;
    getScalarValue(name: string): unknown;
    addTableRow(name: string, row: unknown[]): void;
    deleteTableRow(name: string, rowIndex: unknown[]): boolean;
    getTableCells(name: string, byRow?: boolean, includeInstances?: boolean): unknown[][];
    setTableSingleCell(name: string, column: number, rowIndex: unknown[], value: unknown): void;
    unregisterProvider(name: string): void;
  }
  export interface Authorizer {
    addCommunity(c: string): void;
    addUser(u: User): void;
  }
  export interface AgentOptions {
    port?: number;
    address?: string | null;
    transport?: 'udp4' | 'udp6';
    engineID?: string;
    disableAuthorization?: boolean;
    accessControlModelType?: number;
  }
  export interface Agent {
    getMib(): Mib;
    getAuthorizer(): Authorizer;
    close(cb?: () => void): void;
    /** internal: the bound sockets, keyed by transport:address:port */
    listener: { sockets: Record<string, import('node:dgram').Socket> };
  }
  export function createAgent(options: AgentOptions, callback: (error: Error | null, data?: unknown) => void, mib?: Mib): Agent;

  const snmp: {
    Version1: typeof Version1;
    Version2c: typeof Version2c;
    Version3: typeof Version3;
    ObjectType: typeof ObjectType;
    ErrorStatus: typeof ErrorStatus;
    SecurityLevel: typeof SecurityLevel;
    AuthProtocols: typeof AuthProtocols;
    PrivProtocols: typeof PrivProtocols;
    MibProviderType: typeof MibProviderType;
    MaxAccess: typeof MaxAccess;
    AccessControlModelType: typeof AccessControlModelType;
    createSession: typeof createSession;
    createV3Session: typeof createV3Session;
    createAgent: typeof createAgent;
    isVarbindError: typeof isVarbindError;
    varbindError: typeof varbindError;
    RequestTimedOutError: typeof RequestTimedOutError;
    RequestFailedError: typeof RequestFailedError;
    ResponseInvalidError: typeof ResponseInvalidError;
    RequestInvalidError: typeof RequestInvalidError;
  };
  export default snmp;
}
