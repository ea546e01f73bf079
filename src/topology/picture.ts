/**
 * The diagram picture people read and print: placed by ELK (layout.ts) so no text covers another,
 * findings numbered on the devices and cables they concern, a legend, and (for the standalone
 * file) the findings in words beside the drawing, not only in hover tooltips. Colours are SVG
 * presentation attributes, not style attributes, so the picture passes a strict CSP inline; severity
 * is also told by line width and dashes, so it survives a black-and-white printer.
 */
import { createHash } from 'node:crypto';
import type { Lang } from '../labels/messages.js';
import { cut, FONT_SIZE, layoutDiagram, LINE_H, type Box } from './layout.js';
import type { Finding, Severity, TopologyGraph } from './model.js';
import { escapeXml, renderSvg } from './render-svg.js';

/** Past this, ELK takes too long for a page view (about a second at 150 devices): the plain layered drawing is used instead. */
const MAX_ELK_NODES = 150;
const MAX_ELK_LINKS = 400;
/** Stored versions never change, so their pictures are kept: the last this many drawn. */
const CACHED = 32;
const PANEL_W = 470;
const WRAP = 66;
/** Baseline of the first line within a line box. */
const PAD_TOP = 11;

const WORDS = {
  legend: { id: 'Keterangan', en: 'Legend' },
  device: { id: 'Perangkat: nama, ID inventaris, alamat IP', en: 'Device: name, inventory id, IP address' },
  error: { id: 'Ada kesalahan: garis merah tebal', en: 'Has an error: thick red line' },
  warning: { id: 'Ada peringatan: garis oranye putus-putus', en: 'Has a warning: dashed orange line' },
  cable: { id: 'Kabel, dengan label kabelnya', en: 'Cable, with its cable label' },
  port: { id: 'Nomor port di ujung kabel', en: 'Port number at the cable end' },
  marks: { id: '! 1, 2 = nomor temuan pada daftar', en: '! 1, 2 = finding numbers in the list' },
  findings: { id: 'Temuan', en: 'Findings' },
  none: { id: 'Tidak ada temuan.', en: 'No findings.' },
  error1: { id: 'Kesalahan', en: 'Error' },
  warning1: { id: 'Peringatan', en: 'Warning' },
  info1: { id: 'Info', en: 'Info' },
  summary: { id: '{n} perangkat, {l} kabel, {f} temuan', en: '{n} devices, {l} cables, {f} findings' },
} as const;

const STROKE: Record<Severity | 'none', { stroke: string; width: number; dash?: string }> = {
  error: { stroke: '#d32f2f', width: 3 },
  warning: { stroke: '#e65100', width: 3, dash: '7 4' },
  info: { stroke: '#546e7a', width: 1.5 },
  none: { stroke: '#546e7a', width: 1.5 },
};
const RANK: Record<Severity, number> = { error: 3, warning: 2, info: 1 };

export interface NumberedFinding extends Finding {
  n: number;
}

/** Findings numbered 1.. in report order: the numbers the picture and the list share. */
export const numberFindings = (findings: readonly Finding[]): NumberedFinding[] => findings.map((f, i) => ({ ...f, n: i + 1 }));

export interface PictureOptions {
  lang: Lang;
  /** Accessible title of the picture. */
  title: string;
  /** Draw the legend and the findings in words beside the picture (the standalone file); a page shows both in HTML. */
  findingsPanel: boolean;
}

/** The legend in words, for a page that shows it beside the picture in HTML. */
export const legendWords = (lang: Lang) => ({
  title: WORDS.legend[lang],
  items: (['device', 'error', 'warning', 'cable', 'port', 'marks'] as const).map((k) => ({ kind: k, text: WORDS[k][lang] })),
});

const attrs = (s: { stroke: string; width: number; dash?: string }) =>
  `stroke="${s.stroke}" stroke-width="${s.width}"${s.dash ? ` stroke-dasharray="${s.dash}"` : ''}`;

const text = (x: number, y: number, s: string, extra = '') => `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}"${extra}>${escapeXml(s)}</text>`;

/** Words wrapped to `width` characters (a long word is cut, never left to run off the page). */
function wrap(s: string, width: number): string[] {
  const out: string[] = [];
  let line = '';
  for (const word of s.split(/\s+/)) {
    const w = [...word].length > width ? cut(word, width) : word;
    if (line && [...line].length + 1 + [...w].length > width) {
      out.push(line);
      line = w;
    } else line = line ? `${line} ${w}` : w;
  }
  if (line) out.push(line);
  return out;
}

/** The legend and the numbered findings: SVG lines from x down; returns them and the height. */
function panel(x: number, findings: NumberedFinding[], o: PictureOptions): { svg: string[]; height: number } {
  const L = o.lang;
  const svg: string[] = [];
  let y = 24;
  svg.push(text(x, y, WORDS.legend[L], ' font-weight="bold"'));
  y += 10;
  const row = (sample: string, words: string) => {
    svg.push(sample.replaceAll('{y}', String(y)), text(x + 52, y + 12, words));
    y += 22;
  };
  row(`<rect x="${x}" y="{y}" width="40" height="16" rx="4" fill="#eceff1" ${attrs(STROKE.none)}/>`, WORDS.device[L]);
  row(`<rect x="${x}" y="{y}" width="40" height="16" rx="4" fill="#eceff1" ${attrs(STROKE.error)}/>`, WORDS.error[L]);
  row(`<rect x="${x}" y="{y}" width="40" height="16" rx="4" fill="#eceff1" ${attrs(STROKE.warning)}/>`, WORDS.warning[L]);
  row(`<line x1="${x}" y1="${y + 8}" x2="${x + 40}" y2="${y + 8}" ${attrs(STROKE.none)}/>`, WORDS.cable[L]);
  row(`<rect x="${x + 17}" y="${y + 5}" width="6" height="6" fill="#263238"/>`, WORDS.port[L]);
  svg.push(text(x, y + 12, WORDS.marks[L]));
  y += 36;
  svg.push(text(x, y, WORDS.findings[L], ' font-weight="bold"'));
  y += LINE_H + 4;
  if (findings.length === 0) {
    svg.push(text(x, y, WORDS.none[L]));
    y += LINE_H;
  }
  for (const f of findings) {
    const head = `${f.n}. ${WORDS[`${f.severity}1`][L]} (${f.code}):`;
    const colour = f.severity === 'info' ? '#37474f' : STROKE[f.severity].stroke;
    svg.push(text(x, y, head, ` font-weight="bold" fill="${colour}"`));
    y += LINE_H;
    for (const line of wrap(f.message[L], WRAP)) {
      svg.push(text(x + 12, y, line));
      y += LINE_H;
    }
    y += 4;
  }
  return { svg, height: y + 10 };
}

/** Per element: its findings' numbers ("! 1, 4") and its worst severity. */
function marksOf(findings: NumberedFinding[]): { marks: Map<string, string>; worst: Map<string, Severity> } {
  const nums = new Map<string, number[]>();
  const worst = new Map<string, Severity>();
  for (const f of findings) {
    nums.set(f.element, [...(nums.get(f.element) ?? []), f.n]);
    const w = worst.get(f.element);
    if (!w || RANK[f.severity] > RANK[w]) worst.set(f.element, f.severity);
  }
  const marks = new Map([...nums].map(([k, ns]) => [k, `! ${ns.length > 6 ? `${ns.slice(0, 6).join(', ')}, …` : ns.join(', ')}`]));
  return { marks, worst };
}

const titleOf = (id: string, findings: NumberedFinding[], lang: Lang) => {
  const fs = findings.filter((f) => f.element === id);
  return fs.length ? `<title>${escapeXml(fs.map((f) => `${f.n}. ${f.code}: ${f.message[lang]}`).join('\n'))}</title>` : '';
};

const labelBg = (b: Box) => `<rect x="${b.x.toFixed(1)}" y="${b.y.toFixed(1)}" width="${b.w.toFixed(1)}" height="${b.h.toFixed(1)}" fill="#ffffff"/>`;

const drawn = new Map<string, Promise<string>>();

/** The picture of a diagram version with its findings, as an SVG document fragment (`<svg>...</svg>`). */
export function drawDiagram(g: TopologyGraph, report: readonly Finding[], o: PictureOptions): Promise<string> {
  if (g.nodes.length > MAX_ELK_NODES || g.links.length > MAX_ELK_LINKS) return Promise.resolve(renderSvg(g, report, o.lang));
  const key = createHash('sha256')
    .update(JSON.stringify([g, report, o]))
    .digest('base64');
  const hit = drawn.get(key);
  if (hit) {
    drawn.delete(key);
    drawn.set(key, hit);
    return hit;
  }
  const p = draw(g, report, o);
  drawn.set(key, p);
  if (drawn.size > CACHED) drawn.delete(drawn.keys().next().value!);
  p.catch(() => drawn.delete(key));
  return p;
}

async function draw(g: TopologyGraph, report: readonly Finding[], o: PictureOptions): Promise<string> {
  const findings = numberFindings(report);
  const { marks, worst } = marksOf(findings);
  const lay = await layoutDiagram(g, marks);
  const px = Math.max(lay.width, 200) + 20;
  const side = o.findingsPanel ? panel(px, findings, o) : { svg: [], height: 0 };
  const width = Math.ceil(o.findingsPanel ? px + PANEL_W : lay.width);
  const height = Math.ceil(Math.max(lay.height, side.height));
  const summary = WORDS.summary[o.lang].replace('{n}', String(g.nodes.length)).replace('{l}', String(g.links.length)).replace('{f}', String(findings.length));
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="dg-title dg-desc" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="DejaVu Sans Mono, Liberation Mono, Consolas, monospace" font-size="${FONT_SIZE}" fill="#212121">`,
    `<title id="dg-title">${escapeXml(o.title)}</title><desc id="dg-desc">${escapeXml(summary)}</desc>`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
  ];
  for (const l of lay.links) {
    const s = STROKE[worst.get(l.id) ?? 'none'];
    const pts = l.points.map((p) => `${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(' ');
    out.push(`<g class="dg-link" data-id="${escapeXml(l.id)}">${titleOf(l.id, findings, o.lang)}<polyline points="${pts}" fill="none" ${attrs(s)}/>`);
    if (l.label)
      out.push(labelBg(l.label), text(l.label.x + 2, l.label.y + 11, l.label.text, worst.has(l.id) && worst.get(l.id) !== 'info' ? ` fill="${s.stroke}"` : ''));
    out.push('</g>');
  }
  for (const n of lay.nodes) {
    const s = STROKE[worst.get(n.id) ?? 'none'];
    out.push(
      `<g class="dg-node" data-id="${escapeXml(n.id)}">${titleOf(n.id, findings, o.lang)}`,
      `<rect x="${n.x.toFixed(1)}" y="${n.y.toFixed(1)}" width="${n.w.toFixed(1)}" height="${n.h.toFixed(1)}" rx="6" fill="#eceff1" ${attrs(s)}/>`,
    );
    const top = n.text.y + PAD_TOP;
    n.lines.forEach((line, i) => {
      const bold = i === 0 ? ' font-weight="bold"' : '';
      const colour = line.startsWith('! ') && worst.get(n.id) !== 'info' ? ` fill="${s.stroke}" font-weight="bold"` : '';
      out.push(text(n.text.x + n.text.w / 2, top + i * LINE_H, line, ` text-anchor="middle"${bold}${colour}`));
    });
    for (const p of n.ports) {
      out.push(`<rect x="${p.x.toFixed(1)}" y="${p.y.toFixed(1)}" width="${p.w}" height="${p.h}" fill="#263238"/>`);
      if (p.label && p.text) out.push(text(p.label.x, p.label.y + 11, p.text, ' fill="#37474f"'));
    }
    out.push('</g>');
  }
  out.push(...side.svg, '</svg>');
  return out.join('\n');
}
