import { describe, expect, it } from 'vitest';
import type { UserDirectory, UserInfo } from '../../../src/auth/user-directory.js';
import { recipientsOf } from '../../../src/notifications/recipients.js';

const u = (username: string, role: UserInfo['role'], opd: string | null = null, disabledAt: string | null = null): UserInfo => ({
  id: username,
  username,
  displayName: username,
  email: `${username}@example.go.id`,
  role,
  opd,
  language: 'id',
  disabledAt,
});
const people = [
  u('noc1', 'noc-admin'),
  u('noc2', 'noc-operator'),
  u('view', 'viewer'),
  u('dk1', 'opd-admin', 'DINKES'),
  u('dk2', 'opd-admin', 'DINKES'),
  u('bp1', 'opd-admin', 'BAPPEDA'),
  u('gone', 'opd-admin', 'DINKES', '2026-01-01T00:00:00Z'),
];

/** The interface's contract over a list: enabled accounts only from recipients(), any from byActorId(). */
const dir: UserDirectory = {
  byActorId: (id) => people.find((p) => `user:${p.username}` === id) ?? null,
  recipients: ({ roles, opd }) => people.filter((p) => !p.disabledAt && roles.includes(p.role) && (!opd || p.opd === opd)),
};
const names = (xs: UserInfo[]) => xs.map((x) => x.username);

describe('who is told', () => {
  it('the NOC is its admins and operators, not viewers, and not the one who filed', () => {
    expect(names(recipientsOf({ to: 'noc' }, dir))).toEqual(['noc1', 'noc2']);
    expect(names(recipientsOf({ to: 'noc' }, dir, 'user:noc2'))).toEqual(['noc1']);
  });

  it('an office is its own enabled opd-admins', () => {
    expect(names(recipientsOf({ to: 'office', opd: 'DINKES' }, dir))).toEqual(['dk1', 'dk2']);
    expect(names(recipientsOf({ to: 'office', opd: 'DISHUB' }, dir))).toEqual([]);
  });

  it("a decision goes to the person who filed; a token's filing, or a disabled filer's, to the office's admins", () => {
    expect(names(recipientsOf({ to: 'requester', actorId: 'user:dk2', opd: 'DINKES' }, dir, 'user:noc1'))).toEqual(['dk2']);
    expect(names(recipientsOf({ to: 'requester', actorId: 'tok_abc123', opd: 'DINKES' }, dir))).toEqual(['dk1', 'dk2']);
    expect(names(recipientsOf({ to: 'requester', actorId: 'user:gone', opd: 'DINKES' }, dir))).toEqual(['dk1', 'dk2']);
    expect(names(recipientsOf({ to: 'requester', actorId: 'user:noc1', opd: 'BAPPEDA' }, dir, 'user:noc1'))).toEqual([]);
  });
});
