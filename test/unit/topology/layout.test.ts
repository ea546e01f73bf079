// The diagram picture's layout: no text covers another text or another device, for every example
// diagram, with finding marks sized in; and the SVG keeps uploaded text escaped.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { layoutDiagram, type Box, type Layout } from '../../../src/topology/layout.js';
import { drawDiagram } from '../../../src/topology/picture.js';
import type { Finding, TopologyGraph } from '../../../src/topology/model.js';
import { parseDiagram } from '../../../src/topology/upload.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const EXAMPLES = ['BAPPEDA.drawio', 'DINKES.drawio', 'DISDIK.drawio', 'BPKAD.yaml'];

const overlap = (a: Box, b: Box) => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;

/** Every text box with its owner: port numbers and name blocks belong to their device. */
function texts(l: Layout): { owner: string; kind: string; box: Box }[] {
  const out: { owner: string; kind: string; box: Box }[] = [];
  for (const n of l.nodes) {
    out.push({ owner: n.id, kind: 'name', box: n.text });
    for (const p of n.ports) if (p.label) out.push({ owner: n.id, kind: `port ${p.text}`, box: p.label });
  }
  for (const e of l.links) if (e.label) out.push({ owner: e.id, kind: `cable ${e.label.text}`, box: e.label });
  return out;
}

/** One finding on every device and cable, so every element carries a mark to fit. */
const findingsFor = (g: TopologyGraph): Finding[] =>
  [...g.nodes.map((n) => n.id), ...g.links.map((l) => l.id)].map((element, i) => ({
    code: 'LABEL_MISSING',
    severity: i % 2 ? 'warning' : 'error',
    element,
    message: { id: `temuan ${i}`, en: `finding ${i}` },
  }));

describe('diagram layout', () => {
  for (const file of EXAMPLES)
    it(`${file}: no label, port number or name block overlaps another, nor another device`, async () => {
      const g = parseDiagram(readFileSync(join(ROOT, 'topology', file)));
      const marks = new Map(findingsFor(g).map((f, i) => [f.element, `! ${i + 1}`]));
      const l = await layoutDiagram(g, marks);
      expect(l.nodes).toHaveLength(g.nodes.length);
      const all = texts(l);
      for (let i = 0; i < all.length; i++)
        for (let j = i + 1; j < all.length; j++) expect(overlap(all[i]!.box, all[j]!.box), `${all[i]!.kind} / ${all[j]!.kind}`).toBe(false);
      // A device's own texts sit inside it; nobody else's text is on it.
      for (const t of all)
        for (const n of l.nodes) {
          const inside = t.box.x >= n.x && t.box.y >= n.y && t.box.x + t.box.w <= n.x + n.w + 0.5 && t.box.y + t.box.h <= n.y + n.h + 0.5;
          if (t.owner === n.id) expect(inside, `${t.kind} inside ${n.id}`).toBe(true);
          else expect(overlap(t.box, n), `${t.kind} over ${n.id}`).toBe(false);
        }
    });

  it('the picture is well-formed XML with the legend and the findings in words; uploaded text stays text', async () => {
    const g = parseDiagram(
      'format: simpul-topology/1\nopd: BPKAD\nnodes:\n  - { id: bpkad-sw01, name: "<script>alert(1)</script> & \\"x\\"" }\n  - { id: bpkad-rtr01, name: Router }\nlinks:\n  - { id: c1, a: bpkad-rtr01:ether2, b: bpkad-sw01:1, label: "</text><script>" }\n',
    );
    const svg = await drawDiagram(g, findingsFor(g), { lang: 'en', title: 'T <b>', findingsPanel: true });
    expect(XMLValidator.validate(svg)).toBe(true);
    expect(svg).not.toContain('<script>');
    expect(svg).toContain('&lt;script&gt;alert(1)');
    expect(svg).toContain('Legend');
    expect(svg).toContain('finding 0');
    expect(svg).not.toMatch(/\sstyle=/);
  });
});
