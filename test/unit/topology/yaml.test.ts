import { describe, expect, it } from 'vitest';
import { DiagramError } from '../../../src/topology/model.js';
import { parseTopologyYaml } from '../../../src/topology/yaml.js';
import { parseDiagram } from '../../../src/topology/upload.js';
import { example } from './fixtures.js';

const refusal = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(DiagramError);
    return e as DiagramError;
  }
  throw new Error('expected a DiagramError');
};

describe('Simpul YAML topology', () => {
  it('reads the BPKAD example', () => {
    const g = parseDiagram(example('BPKAD.yaml'));
    expect(g.source).toBe('yaml');
    expect(g.opd).toBe('BPKAD');
    expect(g.nodes[0]).toEqual({
      id: 'bpkad-rtr01',
      label: 'Router BPKAD',
      deviceId: 'bpkad-rtr01',
      model: 'RB5009UG+S+IN',
      mgmtIp: '10.255.5.1',
      ips: ['10.20.5.1'],
      ports: ['ether1', 'ether2', 'ether3', 'ether4', 'ether5', 'ether6', 'ether7', 'ether8', 'sfp-sfpplus1'],
      space: 'L1R01',
    });
    expect(g.links[1]).toEqual({
      id: 'sw01-sw02',
      a: { node: 'bpkad-sw01', port: '24' },
      b: { node: 'bpkad-sw02', port: '24' },
      label: 'BPKAD.L1R01.SW01:24/BPKAD.L1R03.SW02:24',
    });
  });

  it('endpoints as node:port strings split at the last colon; links get ids', () => {
    const g = parseTopologyYaml('nodes:\n  - id: a\n  - id: b\nlinks:\n  - { a: "a:Gi1/0/1", b: "b:" }\n');
    expect(g.links).toEqual([{ id: 'link-1', a: { node: 'a', port: 'Gi1/0/1' }, b: { node: 'b' } }]);
  });

  it.each([
    ['nodes:\n  - id: a\n    modle: x\n', 'nodes[0].modle'],
    ['nodes:\n  - id: a\n  - id: a\n', 'nodes[1].id'],
    ['nodes:\n  - name: x\n', 'nodes[0].id'],
    ['links:\n  - a: nocolon\n    b: x:1\n', 'links[0].a'],
    ['opd: dinkes\n', 'opd'],
    ['format: other/2\n', 'format'],
    ['nodes: 3\n', 'nodes'],
    ['- a\n- b\n', '(top)'],
    ['nodes:\n  - id: a\n    __proto__: { polluted: 1 }\n', 'nodes[0].__proto__'],
  ])('schema mistakes name the path (%#)', (text, path) => {
    const e = refusal(() => parseTopologyYaml(text));
    expect(e.code).toBe('YAML_SCHEMA');
    expect(e.status).toBe(422);
    expect(e.text.en).toContain(path);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('syntax errors give the line', () => {
    const e = refusal(() => parseTopologyYaml('nodes:\n  - id: a\n   bad: [\n'));
    expect(e.code).toBe('YAML_SYNTAX');
    expect(e.text.id).toMatch(/baris \d/);
  });

  it('duplicate keys are a syntax error', () => {
    expect(refusal(() => parseTopologyYaml('opd: DINKES\nopd: BPKAD\n')).code).toBe('YAML_SYNTAX');
  });
});
