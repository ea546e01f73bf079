import { describe, expect, it } from 'vitest';
import { isSensitiveKey, maskSecrets } from '../../../src/backup/mask.js';
import { canonicalExport, comparableExport } from '../../../src/backup/export-text.js';
import { changedLines, unifiedDiff } from '../../../src/backup/diff.js';
import { backupTarget, exportCommand } from '../../../src/backup/targets.js';

const KEY = Buffer.from('k');
const MASK = /^\*\*\*masked:[0-9a-f]{10}\*\*\*$/;

describe('maskSecrets', () => {
  it.each([
    ['/user add name=noc password=hunter2 group=full', 'password', 'hunter2'],
    ['/ppp secret add name=a password="two words" service=l2tp', 'password', '"two words"'],
    ['/ip ipsec identity add peer=p secret=s3cr3t', 'secret', 's3cr3t'],
    ['/radius add address=10.0.0.1 secret="x\\"y" service=login', 'secret', '"x\\"y"'],
    ['/interface wireless security-profiles add name=p wpa-pre-shared-key=aaa wpa2-pre-shared-key=bbb', 'wpa2-pre-shared-key', 'bbb'],
    ['/interface wifi security add name=s passphrase="wifi pass"', 'passphrase', '"wifi pass"'],
    ['/snmp community add name=v3 authentication-password=ap encryption-password=ep', 'encryption-password', 'ep'],
    ['/interface wireguard add name=wg private-key="AAAA+bbb/ccc="', 'private-key', '"AAAA+bbb/ccc="'],
    ['/interface wireguard peers add interface=wg preshared-key=psk1 public-key="pub"', 'preshared-key', 'psk1'],
    ['/routing bgp connection add name=up tcp-md5-key=md5', 'tcp-md5-key', 'md5'],
    ['/interface l2tp-server server set ipsec-secret=l2tp use-ipsec=yes', 'ipsec-secret', 'l2tp'],
    ['/ip hotspot user add name=u psk=abc', 'psk', 'abc'],
    ['/user set [ find name=admin ] password=pw', 'password', 'pw'],
  ])('%s', (line, key, value) => {
    const { text, masked } = maskSecrets(line, KEY);
    expect(masked).toBeGreaterThanOrEqual(1);
    expect(text).not.toContain(`${key}=${value}`);
    const got = text.match(new RegExp(`(?:^|\\s)${key}=(\\S+)`))?.[1];
    expect(got).toMatch(MASK);
  });

  it('leaves other values alone, public keys and names included', () => {
    const line = '/interface wireguard peers add public-key="pub" comment="password=inside a comment is data" name=secret-name';
    // the comment's text is one quoted value: only its key decides
    expect(maskSecrets(line, KEY)).toEqual({ text: line, masked: 0 });
    expect(isSensitiveKey('public-key')).toBe(false);
    expect(isSensitiveKey('name')).toBe(false);
    expect(isSensitiveKey('authentication-password')).toBe(true);
  });

  it('gives the same digest for the same value, another for another value or key', () => {
    const a = maskSecrets('add password=x', KEY).text;
    expect(maskSecrets('add password=x', KEY).text).toBe(a);
    expect(maskSecrets('add password=y', KEY).text).not.toBe(a);
    expect(maskSecrets('add password=x', Buffer.from('other')).text).not.toBe(a);
    expect(maskSecrets('add secret=x', KEY).text.slice(11)).not.toBe(a.slice(13));
  });

  it('masks a secret RouterOS wrapped over two lines once the lines are joined', () => {
    const raw = '/ppp secret\r\nadd name=a password=verylongpasswordthatrouteroswr\\\r\n    apped service=l2tp\r\n';
    const canon = canonicalExport(raw);
    expect(canon).toBe('/ppp secret\nadd name=a password=verylongpasswordthatrouteroswrapped service=l2tp\n');
    expect(maskSecrets(canon, KEY).text).not.toContain('verylong');
  });
});

describe('export text', () => {
  it('drops only the timestamp header line when comparing', () => {
    for (const stamp of [
      '# 2026-11-23 10:00:01 by RouterOS 7.18.2',
      '# nov/23/2026 10:00:01 by RouterOS 6.49.17',
      '# 2026-11-23 10:00:01 by RouterOS 7.16.2 (stable)',
    ]) {
      const text = `${stamp}\n# software id = ABCD-1234\n/system identity set name=r\n`;
      expect(comparableExport(text)).toBe('# software id = ABCD-1234\n/system identity set name=r\n');
    }
    expect(comparableExport('/ip dns static add comment="# 10:00:00 by RouterOS x" name=a\n')).toContain('by RouterOS');
    expect(canonicalExport('a')).toBe('a\n');
  });

  it('counts changed lines and writes a unified diff', () => {
    expect(changedLines('a\nb\nc\n', 'a\nc\nd\n')).toEqual({ added: 1, removed: 1 });
    expect(changedLines('a\n', 'a\n')).toEqual({ added: 0, removed: 0 });
    const d = unifiedDiff({ label: 'r/v1', header: 't1', text: 'a\nb\n' }, { label: 'r/v2', header: 't2', text: 'a\nc\n' });
    expect(d).toContain('--- r/v1\tt1');
    expect(d).toContain('+++ r/v2\tt2');
    expect(d).toContain('-b\n+c');
  });
});

describe('exportCommand', () => {
  it('asks RouterOS 7 for secrets and RouterOS 6 not to hide them', () => {
    expect(exportCommand('7.18.2', true, true)).toBe('/export show-sensitive terse');
    expect(exportCommand('7.16', false, false)).toBe('/export');
    expect(exportCommand('6.49.17', true, true)).toBe('/export terse');
    expect(exportCommand('6.49.17', false, false)).toBe('/export hide-sensitive');
    expect(exportCommand(undefined, true, false)).toBe('/export show-sensitive');
  });
});

describe('backupTarget', () => {
  const router = {
    id: 'r',
    name: 'R',
    role: 'router',
    vendor: 'MikroTik',
    model: 'CCR',
    site: 's',
    mgmt: '10.255.10.1',
    opd: 'X',
    routeros: { credentials: 'c', version: '7.19.1' },
  } as const;
  const endpoint = { host: '127.0.0.1', port: 2222 };
  const opts = { endpoint, showSensitive: true, terse: true };
  it('uses the credential and the endpoint it is given, never the inventory address', () => {
    expect(backupTarget(router, { ...opts, credentials: { username: 'u', password: 'p' } })).toEqual({
      ssh: { host: '127.0.0.1', port: 2222, username: 'u', password: 'p' },
      command: '/export show-sensitive terse',
    });
    expect(backupTarget(router, { ...opts, credentials: { username: 'u', privateKey: 'KEY', passphrase: 'pp', password: 'p' } })).toMatchObject({
      ssh: { privateKey: 'KEY', passphrase: 'pp' },
    });
  });
  it('says why a router is skipped', () => {
    expect(backupTarget(router, { ...opts, endpoint: null, credentials: { username: 'u', password: 'p' } })).toEqual({
      skip: 'no SSH endpoint for this router',
    });
    expect(backupTarget(router, { ...opts, credentials: { password: 'p' } })).toEqual({ skip: "credential 'c' has no username" });
    expect(backupTarget(router, { ...opts, credentials: { username: 'u' } })).toEqual({ skip: "credential 'c' has neither password nor privateKey" });
    expect(backupTarget({ ...router, routeros: undefined }, { ...opts, credentials: {} })).toEqual({ skip: 'no routeros: section in the inventory' });
  });
});
