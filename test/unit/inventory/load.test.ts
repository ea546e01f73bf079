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
const lineOf = (file: string, needle: string) => readFileSync(file, 'utf8').split('\n').findIndex((l) => l.includes(needle)) + 1;

describe('inventory', () => {
  it('loads the example regency: Diskominfo plus at least 30 OPDs, with backbone links', () => {
    const { inventory, problems } = loadInventory(EXAMPLE_INVENTORY);
    expect(problems).toEqual([]);
    const codes = inventory!.opds.map((o) => o.code);
    expect(codes.length).toBeGreaterThanOrEqual(31);
    for (const c of ['DISKOMINFO', 'DINKES', 'DISDIK', 'BAPPEDA', 'BPKAD', 'DISDUKCAPIL', 'DPMPTSP', 'SETDA', 'INSPEKTORAT', 'BKPSDM', 'DINSOS', 'DISHUB', 'DPUPR', 'RSUD'])
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
    expect(msgs).toContain(`opds/BAPPEDA.yaml:${lineOf(join(EXAMPLE_INVENTORY, 'opds/BAPPEDA.yaml'), 'mgmt: 10.255.4.2')}: '10.255.4.300' is not a valid IPv4 or IPv6 address`);
    expect(msgs).toContain(`backbone.yaml:${lineOf(join(EXAMPLE_INVENTORY, 'backbone.yaml'), 'device: dinkes-rtr01')}: link end b names unknown device 'dinkes-rtr09'`);
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
