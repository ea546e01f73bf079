import { describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { loadInventory } from '../../../src/inventory/load.js';
import { copyInventory, EXAMPLE_INVENTORY, tempDir } from '../../helpers/daemon.js';

function edited(edit: (dir: string) => void) {
  const { dir } = tempDir();
  const inv = copyInventory(dir);
  edit(inv);
  return loadInventory(inv);
}
const replaceIn = (file: string, from: string, to: string) => {
  const text = readFileSync(file, 'utf8');
  if (!text.includes(from)) throw new Error(`fixture: '${from}' not in ${file}`);
  writeFileSync(file, text.replace(from, to));
};
/** 1-based line of the first occurrence of `needle` in the file. */
const lineOf = (file: string, needle: string) =>
  readFileSync(file, 'utf8')
    .split('\n')
    .findIndex((l) => l.includes(needle)) + 1;

describe('inventory', () => {
  it('loads the example regency: Diskominfo plus at least 30 OPDs, with backbone links', () => {
    const { inventory, problems } = loadInventory(EXAMPLE_INVENTORY);
    expect(problems).toEqual([]);
    const codes = inventory!.opds.map((o) => o.code);
    expect(codes.length).toBeGreaterThanOrEqual(31);
    for (const c of [
      'DISKOMINFO',
      'DINKES',
      'DISDIK',
      'BAPPEDA',
      'BPKAD',
      'DISDUKCAPIL',
      'DPMPTSP',
      'SETDA',
      'INSPEKTORAT',
      'BKPSDM',
      'DINSOS',
      'DISHUB',
      'DPUPR',
      'RSUD',
    ])
      expect(codes).toContain(c);
    expect(codes.filter((c) => c.startsWith('KEC')).length).toBeGreaterThanOrEqual(3);
    // one MikroTik router per OPD, linked to the core
    for (const c of codes) expect(inventory!.devices.some((d) => d.opd === c && d.role === 'router' && d.vendor === 'MikroTik')).toBe(true);
    const core = 'diskominfo-core01';
    for (const c of codes.filter((c) => c !== 'DISKOMINFO'))
      expect(inventory!.links.some((l) => l.a.device === core && l.b.device === `${c.toLowerCase()}-rtr01` && l.capacityMbps > 0)).toBe(true);
  });

  it('reports an unknown site reference with file and line', () => {
    const r = edited((inv) => replaceIn(join(inv, 'opds/DINKES.yaml'), 'site: dinkes-hq\n    label: SW01', 'site: dinkes-gedung-b\n    label: SW01'));
    const f = 'opds/DINKES.yaml';
    const p = r.problems.find((p) => p.message.includes("unknown site 'dinkes-gedung-b'"));
    expect(r.inventory).toBeNull();
    expect(p?.file).toMatch(new RegExp(`${f}$`));
    expect(p?.line).toBe(lineOf(join(EXAMPLE_INVENTORY, f), 'label: SW01') - 1);
  });

  it('reports a duplicate OPD code, a malformed address and a link to a missing device, each with its line', () => {
    const r = edited((inv) => {
      replaceIn(join(inv, 'opds/DINSOS.yaml'), 'code: DINSOS', 'code: DINKES');
      replaceIn(join(inv, 'opds/BAPPEDA.yaml'), 'mgmt: 10.255.4.2', 'mgmt: 10.255.4.300');
      replaceIn(join(inv, 'backbone.yaml'), 'b: { device: dinkes-rtr01, port: ether1 }', 'b: { device: dinkes-rtr09, port: ether1 }');
    });
    const msgs = r.problems.map((p) => `${p.file.split('inventory/')[1]}:${p.line}: ${p.message}`);
    expect(msgs.some((m) => /^opds\/DINSOS\.yaml:3: duplicate OPD code 'DINKES' \(first defined in .*DINKES\.yaml:3\)/.test(m))).toBe(true);
    expect(msgs).toContain(
      `opds/BAPPEDA.yaml:${lineOf(join(EXAMPLE_INVENTORY, 'opds/BAPPEDA.yaml'), 'mgmt: 10.255.4.2')}: '10.255.4.300' is not a valid IPv4 or IPv6 address`,
    );
    expect(msgs).toContain(
      `backbone.yaml:${lineOf(join(EXAMPLE_INVENTORY, 'backbone.yaml'), 'device: dinkes-rtr01')}: link end b names unknown device 'dinkes-rtr09'`,
    );
  });

  it('reports a port the device does not have, a reused port, unknown keys and secrets', () => {
    const r = edited((inv) => {
      replaceIn(join(inv, 'backbone.yaml'), 'b: { device: dinsos-rtr01, port: ether1 }', 'b: { device: dinsos-rtr01, port: ether9 }');
      replaceIn(join(inv, 'backbone.yaml'), 'a: { device: diskominfo-core01, port: vlan110 }', 'a: { device: diskominfo-core01, port: vlan101 }');
      replaceIn(join(inv, 'opds/DISHUB.yaml'), '    role: router\n', '    role: router\n    colour: red\n');
      replaceIn(join(inv, 'opds/DISHUB.yaml'), '    role: switch\n', '    role: switch\n    community: public\n');
    });
    const msgs = r.problems.map((p) => `${p.file.split('inventory/')[1]}:${p.message}`);
    expect(msgs).toContain("backbone.yaml:device 'dinsos-rtr01' has no port 'ether9'");
    expect(msgs.some((m) => m.startsWith('backbone.yaml:port diskominfo-core01:vlan101 is already used by link'))).toBe(true);
    expect(msgs).toContain('opds/DISHUB.yaml:unknown key');
    expect(msgs.some((m) => m.startsWith('opds/DISHUB.yaml:secrets do not belong in the inventory'))).toBe(true);
  });

  it('reports YAML syntax errors and missing files, and refuses aliases', () => {
    const r = edited((inv) => {
      writeFileSync(join(inv, 'opds/DLH.yaml'), 'opd:\n  code: DLH\n  name: [unclosed\n');
      unlinkSync(join(inv, 'regency.yaml'));
    });
    expect(r.problems.some((p) => p.file.endsWith('opds/DLH.yaml') && p.message.startsWith('YAML:'))).toBe(true);
    expect(r.problems.some((p) => p.file.endsWith('regency.yaml') && p.message.startsWith('missing'))).toBe(true);
    const bomb = edited((inv) =>
      writeFileSync(join(inv, 'opds/DLH.yaml'), 'a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a]\nc: [*b, *b, *b, *b, *b, *b, *b]\n'),
    );
    expect(bomb.inventory).toBeNull();
    expect(bomb.problems.some((p) => p.file.endsWith('opds/DLH.yaml'))).toBe(true);
  });
});

describe('management addresses (issue 15 item 6)', () => {
  const msgs = (r: ReturnType<typeof loadInventory>) => r.problems.map((p) => `${p.file.split('inventory/')[1]}:${p.line}: ${p.message}`);

  it('lets routers share one address (NAT, VPN) when each service has its own port', () => {
    const r = edited((inv) => {
      replaceIn(join(inv, 'opds/DINSOS.yaml'), 'mgmt: 10.255.14.1\n', 'mgmt: 10.255.10.1\n');
      replaceIn(
        join(inv, 'opds/DINSOS.yaml'),
        'routeros: { credentials: mikrotik-opd, version: "7.16.2" }\n    snmp: { version: "2c", credentials: snmp-opd }',
        'routeros: { credentials: mikrotik-opd, version: "7.16.2", port: 18728, sshPort: 2222 }\n    snmp: { version: "2c", credentials: snmp-opd, port: 1161 }',
      );
    });
    expect(r.problems).toEqual([]);
    expect(
      r
        .inventory!.devices.filter((d) => d.mgmt === '10.255.10.1')
        .map((d) => d.id)
        .sort(),
    ).toEqual(['dinkes-rtr01', 'dinsos-rtr01']);
  });

  it('finds the same address and port in another spelling, naming both devices', () => {
    const r = edited((inv) => {
      // IPv4-mapped IPv6 is the same IPv4 address
      replaceIn(join(inv, 'opds/BAPPEDA.yaml'), 'mgmt: 10.255.4.1\n', 'mgmt: "::ffff:10.255.10.1"\n');
      // IPv6 case and zero compression; two switches polled on one SNMP port
      replaceIn(join(inv, 'opds/DINSOS.yaml'), 'mgmt: 10.255.14.2\n', 'mgmt: "2001:DB8:0:0::a"\n');
      replaceIn(join(inv, 'opds/DISHUB.yaml'), 'mgmt: 10.255.15.2\n', 'mgmt: "2001:db8::A"\n');
    });
    const m = msgs(r);
    const bappeda = lineOf(join(EXAMPLE_INVENTORY, 'opds/BAPPEDA.yaml'), '- id: bappeda-rtr01');
    expect(m).toContain(
      `opds/DINKES.yaml:${lineOf(join(EXAMPLE_INVENTORY, 'opds/DINKES.yaml'), 'mgmt: 10.255.10.1')}: same address and port as 'bappeda-rtr01' (${r.problems[0]!.file.split('inventory/')[0]}inventory/opds/BAPPEDA.yaml:${bappeda}) at 10.255.10.1: RouterOS API 8728, RouterOS SSH 22, SNMP 161; devices behind one address need their own ports (routeros.port, routeros.sshPort, snmp.port)`,
    );
    expect(
      m.filter((x) => x.startsWith('opds/DISHUB.yaml:') && x.includes("same address and port as 'dinsos-sw01'") && x.includes('at 2001:db8::a: SNMP 161')),
    ).toHaveLength(1);
    expect(m).toHaveLength(2);
  });

  it("judges the ports, not the address text: the same API port is refused, an API port on another router's SSH port too", () => {
    const r = edited((inv) => {
      replaceIn(join(inv, 'opds/DINSOS.yaml'), 'mgmt: 10.255.14.1\n', 'mgmt: 10.255.10.1\n');
      replaceIn(
        join(inv, 'opds/DINSOS.yaml'),
        'routeros: { credentials: mikrotik-opd, version: "7.16.2" }\n    snmp: { version: "2c", credentials: snmp-opd }',
        'routeros: { credentials: mikrotik-opd, version: "7.16.2", port: 22, sshPort: 2222 }\n    snmp: { version: "2c", credentials: snmp-opd, port: 1161 }',
      );
    });
    expect(msgs(r)).toEqual([
      expect.stringMatching(/^opds\/DINSOS\.yaml:\d+: same address and port as 'dinkes-rtr01' .* at 10\.255\.10\.1: RouterOS API 22 \(its RouterOS SSH\);/),
    ]);
  });

  it('refuses an address with leading zeros (read as octal by some tools)', () => {
    const r = edited((inv) => replaceIn(join(inv, 'opds/BAPPEDA.yaml'), 'mgmt: 10.255.4.2\n', 'mgmt: 10.255.004.2\n'));
    expect(msgs(r)).toEqual([expect.stringContaining("'10.255.004.2' is not a valid IPv4 or IPv6 address")]);
  });
});

describe('one message per problem, the rest still checked (issue 15 item 16)', () => {
  it('reports an appended `- id: BAD ID` device as its two real problems, and nothing else', () => {
    const r = edited((inv) => writeFileSync(join(inv, 'opds/DINKES.yaml'), readFileSync(join(inv, 'opds/DINKES.yaml'), 'utf8') + '  - id: BAD ID\n'));
    const line = readFileSync(join(EXAMPLE_INVENTORY, 'opds/DINKES.yaml'), 'utf8').split('\n').length;
    expect(r.problems.map((p) => `${p.file.split('inventory/')[1]}:${p.line} (${p.path}): ${p.message}`)).toEqual([
      `opds/DINKES.yaml:${line} (devices.8): missing required keys: name, role, vendor, model, site, mgmt`,
      `opds/DINKES.yaml:${line} (devices.8.id): must be lowercase letters, digits and dashes, e.g. dinkes-sw01, got "BAD ID"`,
    ]);
  });

  it('a schema error in one device neither hides a bad address in the next nor makes it an unknown device elsewhere', () => {
    const r = edited((inv) => {
      replaceIn(join(inv, 'opds/DINKES.yaml'), '    role: router\n', '    role: toaster\n');
      replaceIn(join(inv, 'opds/DINKES.yaml'), 'mgmt: 10.255.10.2\n', 'mgmt: 10.255.10.300\n');
      replaceIn(join(inv, 'opds/DINKES.yaml'), '    site: dinkes-hq\n    label: SW02', '    site: dinkes-hq\n    label: SW02\n    colour: red');
      // a site with a schema error is still known to the devices on it
      replaceIn(join(inv, 'opds/BAPPEDA.yaml'), 'sites:\n  - id: bappeda-hq\n', 'sites:\n  - id: bappeda-hq\n    colour: red\n');
    });
    const m = r.problems.map((p) => `${p.file.split('inventory/')[1]} (${p.path}): ${p.message}`);
    expect(m).toEqual([
      'opds/BAPPEDA.yaml (sites.0.colour): unknown key',
      'opds/DINKES.yaml (devices.0.role): must be one of router, switch, ap, server, firewall, olt, got "toaster"',
      "opds/DINKES.yaml (devices.1.mgmt): '10.255.10.300' is not a valid IPv4 or IPv6 address",
      'opds/DINKES.yaml (devices.2.colour): unknown key',
    ]);
    expect(r.inventory).toBeNull();
  });
});
