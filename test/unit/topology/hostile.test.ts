import { deflateRawSync } from 'node:zlib';
import { randomBytes } from 'node:crypto';
import { XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, DiagramError } from '../../../src/topology/model.js';
import { parseDiagram } from '../../../src/topology/upload.js';
import { parseTopologyYaml } from '../../../src/topology/yaml.js';
import { renderSvg } from '../../../src/topology/render-svg.js';

/** Every hostile upload must end in a DiagramError with a 4xx status, never another exception. */
function refused(input: Buffer | string, code: string, status?: number): DiagramError {
  let caught: unknown;
  try {
    parseDiagram(input);
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(DiagramError);
  const e = caught as DiagramError;
  expect(e.code).toBe(code);
  expect(e.status).toBeGreaterThanOrEqual(400);
  expect(e.status).toBeLessThan(500);
  if (status) expect(e.status).toBe(status);
  expect(e.text.id.length).toBeGreaterThan(10);
  expect(e.text.en.length).toBeGreaterThan(10);
  return e;
}

const page = (cells: string) =>
  `<mxfile><diagram id="d"><mxGraphModel><root><mxCell id="0"/><mxCell id="1" parent="0"/>${cells}</root></mxGraphModel></diagram></mxfile>`;
const compressed = (data: Buffer) => `<mxfile><diagram id="d" name="bomb">${deflateRawSync(data).toString('base64')}</diagram></mxfile>`;

describe('hostile uploads', () => {
  it('billion laughs', () => {
    const lol = ['<?xml version="1.0"?>', '<!DOCTYPE lolz [', '<!ENTITY lol "lol">'];
    for (let i = 1; i <= 9; i++) lol.push(`<!ENTITY lol${i} "${`&lol${i - 1 || ''};`.repeat(10)}">`);
    lol.push(']>', '<mxfile><diagram>&lol9;</diagram></mxfile>');
    refused(lol.join('\n'), 'DIAGRAM_DOCTYPE_FORBIDDEN', 400);
  });

  it('XXE', () => {
    refused(
      '<?xml version="1.0"?><!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><mxfile><diagram>&xxe;</diagram></mxfile>',
      'DIAGRAM_DOCTYPE_FORBIDDEN',
    );
    // The same inside a .drawio.svg content attribute, and inside a compressed page.
    refused('<svg content="&lt;!DOCTYPE x [&lt;!ENTITY e SYSTEM &quot;file:///etc/passwd&quot;&gt;]&gt;&lt;mxfile/&gt;"/>', 'DIAGRAM_DOCTYPE_FORBIDDEN');
    refused(compressed(Buffer.from(encodeURIComponent('<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><mxGraphModel/>'))), 'DIAGRAM_DOCTYPE_FORBIDDEN');
  });

  it('an undeclared entity reference is left as text, never resolved', () => {
    const g = parseDiagram(page('<object label="&amp;xxe; &xxe;" device="a-sw01" id="n"><mxCell vertex="1" parent="1"/></object>'));
    expect(g.nodes[0]?.label).toBe('&xxe; &xxe;');
  });

  it('zip bomb in a compressed page', () => {
    const bomb = Buffer.alloc(DEFAULT_LIMITS.maxInflatedBytes + 1024 * 1024, 0x41);
    const text = compressed(bomb);
    expect(text.length).toBeLessThan(200_000);
    refused(text, 'DIAGRAM_PAGE_TOO_LARGE', 413);
  });

  it('many moderately compressed pages that together exceed the cap', () => {
    const model = `<mxGraphModel pad="${'a'.repeat(6 * 1024 * 1024)}"/>`;
    const pageData = deflateRawSync(Buffer.from(encodeURIComponent(model))).toString('base64');
    const file = `<mxfile>${Array.from({ length: 5 }, (_, i) => `<diagram id="d${i}">${pageData}</diagram>`).join('')}</mxfile>`;
    refused(file, 'DIAGRAM_PAGE_TOO_LARGE', 413);
  });

  it('corrupt compressed pages', () => {
    refused('<mxfile><diagram id="d">not*base64!</diagram></mxfile>', 'DIAGRAM_PAGE_CORRUPT');
    refused('<mxfile><diagram id="d">AAAAAAAAAAAAAAAA</diagram></mxfile>', 'DIAGRAM_PAGE_CORRUPT');
    refused(compressed(Buffer.from('%E0%A4%A')), 'DIAGRAM_PAGE_CORRUPT');
  });

  it('a 50 MB file', () => {
    const big = Buffer.alloc(50 * 1024 * 1024, 0x20);
    big.write('<mxfile>', 0);
    refused(big, 'DIAGRAM_TOO_LARGE', 413);
    refused(big.toString('latin1'), 'DIAGRAM_TOO_LARGE', 413);
  });

  it('binary junk', () => {
    refused(randomBytes(4096), 'DIAGRAM_NOT_TEXT', 415);
    refused(Buffer.concat([Buffer.from('<mxfile>'), Buffer.from([0, 1, 2, 3]), Buffer.from('</mxfile>')]), 'DIAGRAM_NOT_TEXT', 415);
    refused(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]), 'DIAGRAM_NOT_TEXT', 415);
  });

  it('not a diagram', () => {
    refused('<html><body>hi</body></html>', 'DIAGRAM_FORMAT_UNKNOWN', 415);
    refused('<mxfile><diagram id="x"><mxGraphModel><root></mxfile>', 'DIAGRAM_XML_MALFORMED', 400);
    refused('<mxfile></mxfile>', 'DIAGRAM_EMPTY');
    refused('   \n', 'DIAGRAM_EMPTY');
  });

  it('deeply nested XML', () => {
    refused(`<mxfile>${'<a>'.repeat(5000)}${'</a>'.repeat(5000)}</mxfile>`, 'DIAGRAM_XML_MALFORMED', 400);
  });

  it('a diagram with 100,000 nodes', () => {
    const cells = Array.from({ length: 100_000 }, (_, i) => `<mxCell id="n${i}" value="x-sw${i % 100}" vertex="1" parent="1"/>`).join('');
    refused(page(cells), 'DIAGRAM_TOO_MANY', 413);
  });

  it('more devices than the cap, fewer cells than the pre-count', () => {
    const cells = Array.from(
      { length: DEFAULT_LIMITS.maxNodes + 1 },
      (_, i) => `<mxCell id="n${i}" value="opd-sw${(i % 900) + 10}" vertex="1" parent="1"/>`,
    ).join('');
    refused(page(cells), 'DIAGRAM_TOO_MANY', 413);
  });

  it('prototype keys in XML names and attributes are inert', () => {
    const g = parseDiagram(
      page('<__proto__ polluted="1"/><object __proto__="x" constructor="y" label="A" device="a-sw01" id="n"><mxCell vertex="1" parent="1"/></object>'),
    );
    expect(g.nodes).toHaveLength(1);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('unicode device names survive, control and bidi characters do not, and the SVG stays well-formed', () => {
    const g = parseDiagram(
      page(
        '<object label="Switch Ruang Kepala Dinas ☕ 交换机 &#x202E;gnp.exe&#7;" device="dinkes-sw01" id="n"><mxCell vertex="1" parent="1"/></object><object label="Свич" device="dinkes‑sw0l" id="m"><mxCell vertex="1" parent="1"/></object>',
      ),
    );
    expect(g.nodes[0]?.label).toBe('Switch Ruang Kepala Dinas ☕ 交换机 gnp.exe');
    expect(g.nodes[1]).toMatchObject({ label: 'Свич', deviceId: 'dinkes‑sw0l' });
    const svg = renderSvg(g);
    expect(svg).toContain('Свич');
    expect(XMLValidator.validate(svg)).toBe(true);
    expect(svg).not.toMatch(/[\u0007\u202E]/);
  });

  it('YAML alias bomb', () => {
    const bomb = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i <= 9; i++)
      bomb.push(
        `${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9)
          .fill(`*${String.fromCharCode(96 + i)}`)
          .join(',')}]`,
      );
    bomb.push('nodes: *j');
    refused(bomb.join('\n'), 'YAML_ALIAS_FORBIDDEN', 400);
    // Even a single harmless alias is refused.
    expect(() => parseTopologyYaml('x: &n { id: a }\nnodes: [*n]\n')).toThrow(DiagramError);
  });

  it('YAML with a 100,000-node list', () => {
    const yaml = `nodes:\n${Array.from({ length: 100_000 }, (_, i) => `- id: n${i}`).join('\n')}\n`;
    refused(yaml, 'DIAGRAM_TOO_MANY', 413);
  });

  it('YAML custom tags and binary junk are refused or inert', () => {
    expect(() => parseTopologyYaml('nodes: !!js/function "function(){}"\n')).toThrow(DiagramError);
    refused(Buffer.concat([Buffer.from('nodes:\n'), randomBytes(1024)]), 'DIAGRAM_NOT_TEXT');
  });
});
