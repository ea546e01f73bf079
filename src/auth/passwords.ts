import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * scrypt with N=2^15, r=8, p=3: one of the parameter sets OWASP's Password Storage Cheat Sheet
 * lists as equivalent to its N=2^17 minimum, at 32 MiB instead of 128 MiB per login, which a small
 * NOC server carries. The parameters are stored with every hash, so they can be raised later.
 */
const PARAMS = { N: 2 ** 15, r: 8, p: 3 } as const;
const KEYLEN = 32;
const MAXMEM = 128 * PARAMS.N * PARAMS.r * 2;

export const PASSWORD_MIN = 10;
/** Bytes, not characters: a 1 MB "password" is refused before it reaches the KDF. */
export const PASSWORD_MAX = 256;

function scrypt(password: string, salt: Buffer, keylen: number, opts: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => scryptCb(password, salt, keylen, opts, (e, k) => (e ? reject(e) : resolve(k))));
}

/** `scrypt$N$r$p$salt$hash`, salt and hash base64url; a fresh 16-byte salt per call. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, KEYLEN, { ...PARAMS, maxmem: MAXMEM });
  return ['scrypt', PARAMS.N, PARAMS.r, PARAMS.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/** Constant-time comparison; a malformed stored hash verifies nothing. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [kind, n, r, p, salt, key] = stored.split('$');
  if (kind !== 'scrypt' || !salt || !key) return false;
  const expected = Buffer.from(key, 'base64url');
  const N = Number(n),
    R = Number(r),
    P = Number(p);
  const got = await scrypt(password, Buffer.from(salt, 'base64url'), expected.length, { N, r: R, p: P, maxmem: 128 * N * R * 2 });
  return got.length === expected.length && timingSafeEqual(got, expected);
}

/** Whether a hash was made with weaker parameters than today's. */
export const needsRehash = (stored: string): boolean => !stored.startsWith(`scrypt$${PARAMS.N}$${PARAMS.r}$${PARAMS.p}$`);

/** A hash of nothing anyone knows: unknown usernames are checked against it so they cost the same time. */
let dummy: Promise<string> | null = null;
export const dummyHash = (): Promise<string> => (dummy ??= hashPassword(randomBytes(16).toString('hex')));

/** 18 random bytes as base64url (24 characters): for passwords generated and shown once. */
export const generatePassword = (): string => randomBytes(18).toString('base64url');

/** Why a new password is refused, as a stable code (pages translate it), or null when acceptable. */
export function passwordProblem(password: string): 'PASSWORD_TOO_SHORT' | 'PASSWORD_TOO_LONG' | 'PASSWORD_INVALID' | null {
  if (password.length < PASSWORD_MIN) return 'PASSWORD_TOO_SHORT';
  if (Buffer.byteLength(password) > PASSWORD_MAX) return 'PASSWORD_TOO_LONG';
  if (password.includes('\0')) return 'PASSWORD_INVALID';
  return null;
}
