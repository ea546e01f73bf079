/**
 * Address and prefix parsing, canonical text and containment for IPv4 and IPv6.
 * Values are BigInt internally so one code path serves both families; ip-num does
 * the parsing and text formatting, this file only adds strictness and errors a
 * person can act on (the spreadsheet import and the API both report them as is).
 */
import { IPv4, IPv4Mask, IPv6, Validator, collapseIPv6Number } from 'ip-num';
import { AppError } from '../errors.js';

export type Family = 4 | 6;

export interface Address {
  family: Family;
  value: bigint;
  /** Canonical text: dotted quad, or RFC 5952 compressed lowercase IPv6. */
  text: string;
}

export interface Prefix {
  family: Family;
  /** First address of the block; host bits are always zero. */
  network: bigint;
  length: number;
  /** Canonical text, e.g. `10.0.0.0/24` or `2001:db8::/48`. */
  text: string;
}

/** The plain shape the allocator works on; a `Prefix` is one too. */
export interface Block {
  network: bigint;
  length: number;
}

export type IpamErrorCode =
  | 'ADDRESS_MALFORMED'
  | 'CIDR_MALFORMED'
  | 'CIDR_MISSING_LENGTH'
  | 'CIDR_LENGTH_OUT_OF_RANGE'
  | 'CIDR_HOST_BITS_SET'
  | 'FAMILY_MISMATCH'
  | 'NOT_IN_PARENT'
  | 'PREFIX_LENGTH_NOT_IN_PARENT'
  | 'SIZE_INVALID'
  | 'SIZE_TOO_LARGE'
  | 'BLOCK_NOT_PRESENT';

/**
 * Bad input to the IPAM core. An `AppError` with status 400, so the HTTP layer
 * renders it as problem+json without translation; `suggestion` (when present)
 * is also in `extra` for the client.
 */
export class IpamInputError extends AppError {
  readonly suggestion: string | undefined;
  constructor(code: IpamErrorCode, detail: string, opts: { field?: string; suggestion?: string } = {}) {
    super(400, code, detail, opts.field, opts.suggestion === undefined ? {} : { suggestion: opts.suggestion });
    this.name = 'IpamInputError';
    this.suggestion = opts.suggestion;
  }
}

export interface ParseOptions {
  /** Expected family; input of the other family is refused with FAMILY_MISMATCH. */
  family?: Family;
  /** Field name reported in errors (default `prefix` or `address`). */
  field?: string;
}

export const familyBits = (family: Family): 32 | 128 => (family === 4 ? 32 : 128);

const familyName = (family: Family) => (family === 4 ? 'IPv4' : 'IPv6');

/** Number of addresses in a block of `length` bits in `family`. */
export const blockSize = (family: Family, length: number): bigint => 1n << BigInt(familyBits(family) - length);

/** Last address (inclusive) of a block. */
export const blockLast = (family: Family, block: Block): bigint => block.network + blockSize(family, block.length) - 1n;

/** True when `network` has no bits set below `length`. */
export const isAligned = (family: Family, network: bigint, length: number): boolean => (network & (blockSize(family, length) - 1n)) === 0n;

/** Clears the host bits: the block of `length` that holds `value`. */
export const truncate = (family: Family, value: bigint, length: number): bigint => value & ~(blockSize(family, length) - 1n);

export function formatAddress(family: Family, value: bigint): string {
  if (family === 4) return IPv4.fromNumber(value).toString();
  return collapseIPv6Number(IPv6.fromBigInt(value).toString()).toLowerCase();
}

export const formatPrefix = (family: Family, block: Block): string => `${formatAddress(family, block.network)}/${block.length}`;

/** Builds a `Prefix` from numbers, refusing misaligned or out-of-range input. */
export function makePrefix(family: Family, network: bigint, length: number): Prefix {
  const bits = familyBits(family);
  if (!Number.isInteger(length) || length < 0 || length > bits) {
    throw new IpamInputError('CIDR_LENGTH_OUT_OF_RANGE', `prefix length ${length} is out of range for ${familyName(family)} (0 to ${bits})`);
  }
  if (network < 0n || network >= 1n << BigInt(bits)) {
    throw new IpamInputError('ADDRESS_MALFORMED', `${network} is not an ${familyName(family)} address value`);
  }
  if (!isAligned(family, network, length)) {
    const fixed = formatPrefix(family, { network: truncate(family, network, length), length });
    throw new IpamInputError('CIDR_HOST_BITS_SET', `${formatPrefix(family, { network, length })} has host bits set; did you mean ${fixed}?`, {
      suggestion: fixed,
    });
  }
  return { family, network, length, text: formatPrefix(family, { network, length }) };
}

const V4_SHAPE = /^\d{1,3}(\.\d{1,3}){3}$/;
const V6_SHAPE = /^[0-9a-fA-F:.]+$/;

function show(text: string): string {
  return text.length > 60 ? `'${text.slice(0, 57)}...'` : `'${text}'`;
}

/** Parses one address (no prefix length). Whitespace around it is ignored. */
export function parseAddress(input: string, opts: ParseOptions = {}): Address {
  const field = opts.field ?? 'address';
  const text = typeof input === 'string' ? input.trim() : '';
  if (text.includes('/')) {
    throw new IpamInputError('ADDRESS_MALFORMED', `${show(text)} is a prefix, not a single address; give the address without '/length'`, { field });
  }
  const family = guessFamily(text);
  if (family === undefined) {
    throw new IpamInputError('ADDRESS_MALFORMED', `${show(String(input))} is not an IPv4 or IPv6 address`, { field });
  }
  const value = addressValue(family, text);
  if (value === undefined) {
    throw new IpamInputError('ADDRESS_MALFORMED', `${show(text)} is not a valid ${familyName(family)} address`, { field });
  }
  if (opts.family !== undefined && family !== opts.family) {
    throw new IpamInputError(
      'FAMILY_MISMATCH',
      `${show(text)} is an ${familyName(family)} address but an ${familyName(opts.family)} address is expected here`,
      { field },
    );
  }
  return { family, value, text: formatAddress(family, value) };
}

/**
 * Parses `address/length` (IPv4 also accepts a dotted netmask, `10.0.0.0/255.255.255.0`,
 * as spreadsheets often hold it). Host bits set is an error that carries the fix as
 * `suggestion`; a bare address is refused with the /32 or /128 it probably meant.
 */
export function parsePrefix(input: string, opts: ParseOptions = {}): Prefix {
  const field = opts.field ?? 'prefix';
  const text = typeof input === 'string' ? input.trim() : '';
  const slash = text.indexOf('/');
  const addrText = slash === -1 ? text : text.slice(0, slash);
  const lenText = slash === -1 ? undefined : text.slice(slash + 1);
  const family = guessFamily(addrText);
  if (family === undefined) {
    throw new IpamInputError('CIDR_MALFORMED', `${show(String(input))} is not a prefix; write it as address/length, e.g. 10.20.0.0/24 or 2001:db8:10::/48`, {
      field,
    });
  }
  const value = addressValue(family, addrText);
  if (value === undefined) {
    throw new IpamInputError('CIDR_MALFORMED', `${show(addrText)} in ${show(text)} is not a valid ${familyName(family)} address`, { field });
  }
  if (opts.family !== undefined && family !== opts.family) {
    throw new IpamInputError('FAMILY_MISMATCH', `${show(text)} is an ${familyName(family)} prefix but an ${familyName(opts.family)} prefix is expected here`, {
      field,
    });
  }
  const bits = familyBits(family);
  if (lenText === undefined) {
    const suggestion = `${formatAddress(family, value)}/${bits}`;
    throw new IpamInputError('CIDR_MISSING_LENGTH', `${show(text)} has no prefix length; write address/length (a single address is ${suggestion})`, {
      field,
      suggestion,
    });
  }
  const length = parseLength(family, lenText);
  if (length === undefined) {
    throw new IpamInputError('CIDR_MALFORMED', `prefix length ${show(lenText)} in ${show(text)} is not a number from 0 to ${bits}`, { field });
  }
  if (length > bits) {
    throw new IpamInputError('CIDR_LENGTH_OUT_OF_RANGE', `${show(text)}: prefix length ${length} is out of range for ${familyName(family)} (0 to ${bits})`, {
      field,
    });
  }
  if (!isAligned(family, value, length)) {
    const suggestion = formatPrefix(family, { network: truncate(family, value, length), length });
    throw new IpamInputError('CIDR_HOST_BITS_SET', `${show(text)} has host bits set; did you mean ${suggestion}?`, { field, suggestion });
  }
  return { family, network: value, length, text: formatPrefix(family, { network: value, length }) };
}

function guessFamily(text: string): Family | undefined {
  if (V4_SHAPE.test(text)) return 4;
  if (text.includes(':') && V6_SHAPE.test(text)) return 6;
  return undefined;
}

function addressValue(family: Family, text: string): bigint | undefined {
  if (family === 4) {
    // ip-num refuses leading zeros ("010"), which some tools read as octal: good.
    return Validator.isValidIPv4String(text)[0] ? IPv4.fromString(text).value : undefined;
  }
  if (!Validator.isValidIPv6String(text)[0]) return undefined;
  try {
    return IPv6.fromString(text).value;
  } catch {
    return undefined;
  }
}

function parseLength(family: Family, text: string): number | undefined {
  if (/^\d{1,3}$/.test(text)) return Number(text);
  if (family === 4 && V4_SHAPE.test(text) && Validator.isValidIPv4String(text)[0]) {
    try {
      return IPv4Mask.fromDecimalDottedString(text).prefix;
    } catch {
      return undefined; // not a contiguous mask
    }
  }
  return undefined;
}

/** True when `inner` lies entirely inside `outer` (equal counts). Families must match. */
export function containsPrefix(outer: Prefix, inner: Prefix): boolean {
  return outer.family === inner.family && inner.length >= outer.length && truncate(outer.family, inner.network, outer.length) === outer.network;
}

export function containsAddress(prefix: Prefix, address: Address): boolean {
  return prefix.family === address.family && truncate(prefix.family, address.value, prefix.length) === prefix.network;
}

/** CIDR blocks either nest or are disjoint, so overlap is containment one way or the other. */
export function overlaps(a: Prefix, b: Prefix): boolean {
  return containsPrefix(a, b) || containsPrefix(b, a);
}

/** Address order, then shorter (enclosing) prefix first: parents sort before their children. */
export function comparePrefixes(a: Prefix, b: Prefix): number {
  if (a.family !== b.family) return a.family - b.family;
  if (a.network !== b.network) return a.network < b.network ? -1 : 1;
  return a.length - b.length;
}
