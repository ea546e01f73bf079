import { describe, expect, it } from 'vitest';
import { hashPassword, needsRehash, passwordProblem, verifyPassword } from '../../../src/auth/passwords.js';

describe('password hashing (scrypt)', () => {
  it('verifies the right password only, with a fresh salt per hash', async () => {
    const a = await hashPassword('kata sandi panjang');
    const b = await hashPassword('kata sandi panjang');
    expect(a).toMatch(/^scrypt\$32768\$8\$3\$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword('kata sandi panjang', a)).toBe(true);
    expect(await verifyPassword('kata sandi panjanG', a)).toBe(false);
    expect(await verifyPassword('x', 'not a hash')).toBe(false);
    expect(needsRehash(a)).toBe(false);
    expect(needsRehash('scrypt$16384$8$1$aa$bb')).toBe(true);
  });

  it('refuses short, huge and NUL-bearing passwords by code', () => {
    expect(passwordProblem('pendek')).toBe('PASSWORD_TOO_SHORT');
    expect(passwordProblem('x'.repeat(257))).toBe('PASSWORD_TOO_LONG');
    expect(passwordProblem('sepuluh\u0000karakter')).toBe('PASSWORD_INVALID');
    expect(passwordProblem('sepuluh karakter')).toBeNull();
  });
});
