import { deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { parseDrawio } from '../../../src/topology/drawio.js';
import { parseDiagram } from '../../../src/topology/upload.js';
import { example } from './fixtures.js';

const model = (cells: string) => `<mxGraphModel><root><mxCell id="0"/><mxCell id="1" parent="0"/>${cells}</root></mxGraphModel>`;
const mxfile = (...pages: string[]) =>
  `<mxfile host="app.diagrams.net">${pages.map((p, i) => `<diagram id="p${i}" name="Page-${i + 1}">${p}</diagram>`).join('')}</mxfile>`;
/** A page the way draw.io compresses it: URI-encode, raw deflate, base64. */
const compress = (xml: string) => deflateRawSync(Buffer.from(encodeURIComponent(xml))).toString('base64');
const escapeAttr = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

const cells = [
  '<object label="Router" device="dinkes-rtr01" model="RB5009" mgmt="10.255.10.1" ips="10.20.10.1, 10.20.10.254" id="r"><mxCell style="rounded=1;" vertex="1" parent="1"><mxGeometry x="0" y="0" width="120" height="60" as="geometry"/></mxCell></object>',
  '<mxCell id="s" value="Switch Lt.1&lt;br&gt;dinkes-sw01&lt;div&gt;mgmt 10.255.10.2&lt;/div&gt;&lt;div&gt;Model: C1000&lt;/div&gt;" style="html=1;" vertex="1" parent="1"><mxGeometry as="geometry"/></mxCell>',
  '<mxCell id="room" value="Ruang Server" style="swimlane;" vertex="1" parent="1"><mxGeometry as="geometry"/></mxCell>',
  '<mxCell id="title" value="LAN DINKES" style="text;" vertex="1" parent="1"><mxGeometry as="geometry"/></mxCell>',
  '<mxCell id="e1" value="DINKES.L1R01.RTR01:ether2/DINKES.L1R01.SW01:1" style="endArrow=none;" edge="1" parent="1" source="r" target="s"><mxGeometry relative="1" as="geometry"/></mxCell>',
  '<mxCell id="e1a" value="ether2" style="edgeLabel;" vertex="1" connectable="0" parent="e1"><mxGeometry x="-0.8" relative="1" as="geometry"/></mxCell>',
  '<mxCell id="e1b" value="1" style="edgeLabel;" vertex="1" connectable="0" parent="e1"><mxGeometry x="0.8" relative="1" as="geometry"/></mxCell>',
].join('');

describe('draw.io, plain XML', () => {
  const g = parseDrawio(mxfile(model(cells)));

  it('devices are the vertices with a device id; rooms and titles are not', () => {
    expect(g.source).toBe('drawio');
    expect(g.nodes.map((n) => n.id)).toEqual(['r', 's']);
  });

  it('reads properties from <object> attributes', () => {
    expect(g.nodes[0]).toEqual({
      id: 'r',
      label: 'Router',
      deviceId: 'dinkes-rtr01',
      model: 'RB5009',
      mgmtIp: '10.255.10.1',
      ips: ['10.20.10.1', '10.20.10.254'],
      ports: [],
      at: { x: 0, y: 0 },
    });
  });

  it('reads them from the (HTML) cell text otherwise', () => {
    expect(g.nodes[1]).toMatchObject({ label: 'Switch Lt.1', deviceId: 'dinkes-sw01', mgmtIp: '10.255.10.2', model: 'C1000', ips: [] });
  });

  it('edges are cables; the edge text is the label, edge labels near the ends are ports', () => {
    expect(g.links).toEqual([
      { id: 'e1', a: { node: 'r', port: 'ether2' }, b: { node: 's', port: '1' }, label: 'DINKES.L1R01.RTR01:ether2/DINKES.L1R01.SW01:1' },
    ]);
  });

  it('cable properties on an <object> edge, a port drawn as a shape inside the device, a loose end', () => {
    const g2 = parseDrawio(
      mxfile(
        model(
          '<object label="SW" device="dinkes-sw01" id="s"><mxCell vertex="1" parent="1"/></object>' +
            '<mxCell id="s-p5" value="Gi1/0/5" vertex="1" parent="s"/>' +
            '<object label="AP" device="dinkes-ap01" id="a"><mxCell vertex="1" parent="1"/></object>' +
            '<object label="" cable="DINKES.L1R01.SW01:Gi1-0-5/DINKES.L1R04.AP01:ether1" labelB="DINKES.L1R04.AP01:ether1/DINKES.L1R01.SW01:Gi1-0-5" targetPort="ether1" id="c"><mxCell edge="1" parent="1" source="s-p5" target="a"/></object>' +
            '<mxCell id="loose" value="" edge="1" parent="1" source="a"/>',
        ),
      ),
    );
    expect(g2.nodes.map((n) => n.id)).toEqual(['s', 'a']);
    expect(g2.links[0]).toEqual({
      id: 'c',
      a: { node: 's', port: 'Gi1/0/5' },
      b: { node: 'a', port: 'ether1' },
      label: 'DINKES.L1R01.SW01:Gi1-0-5/DINKES.L1R04.AP01:ether1',
      farLabel: 'DINKES.L1R04.AP01:ether1/DINKES.L1R01.SW01:Gi1-0-5',
    });
    expect(g2.links[1]).toEqual({ id: 'loose', a: { node: 'a' }, b: { node: null } });
  });

  it('a bare mxGraphModel file is accepted too', () => {
    expect(parseDrawio(model(cells)).nodes).toHaveLength(2);
  });

  it('decodes entities once per level (XML attribute, then HTML label), never recursively', () => {
    const g3 = parseDrawio(mxfile(model('<object label="A &amp;amp;lt; B &amp;#60;" device="x-sw01" id="n"><mxCell vertex="1" parent="1"/></object>')));
    expect(g3.nodes[0]?.label).toBe('A &lt; B <');
  });
});

describe('draw.io, compressed pages', () => {
  it('inflates each page and numbers the ids of later pages', () => {
    const g = parseDrawio(mxfile(compress(model(cells)), compress(model(cells))));
    expect(g.nodes.map((n) => n.id)).toEqual(['r', 's', 'p2:r', 'p2:s']);
    expect(g.links.map((l) => [l.id, l.a.node, l.b.node])).toEqual([
      ['e1', 'r', 's'],
      ['p2:e1', 'p2:r', 'p2:s'],
    ]);
  });

  it('the example DISDIK diagram (compressed, with a legend page) reads like a plain one', () => {
    const g = parseDiagram(example('DISDIK.drawio'));
    expect(g.nodes).toHaveLength(8);
    expect(g.links).toHaveLength(7);
    expect(g.links[0]).toMatchObject({ a: { port: 'ether2' }, b: { port: '1' }, label: 'DISDIK.L1R01.RTR01:ether2/DISDIK.L1R01.SW01:1' });
  });
});

describe('draw.io SVG (.drawio.svg)', () => {
  it('reads the mxfile from the content attribute, with or without the SVG 1.1 DOCTYPE', () => {
    const file = mxfile(model(cells));
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" content="${escapeAttr(file)}"><g/></svg>`;
    const withDoctype = `<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n${svg}`;
    for (const text of [svg, withDoctype]) {
      const g = parseDiagram(text);
      expect(g.source).toBe('drawio-svg');
      expect(g.nodes.map((n) => n.deviceId)).toEqual(['dinkes-rtr01', 'dinkes-sw01']);
      expect(g.links[0]?.label).toBe('DINKES.L1R01.RTR01:ether2/DINKES.L1R01.SW01:1');
    }
  });

  it('with compressed pages inside', () => {
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" content="${escapeAttr(mxfile(compress(model(cells))))}"/>`;
    expect(parseDiagram(svg).links).toHaveLength(1);
  });
});
