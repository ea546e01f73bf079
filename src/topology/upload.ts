/**
 * The first gate for an uploaded diagram: size, text encoding, and which parser it goes to.
 * Uploads are hostile until parsed, so nothing here trusts the file name or the content type.
 */
import { parseDrawio } from './drawio.js';
import { decodeUpload } from './decode.js';
import { DEFAULT_LIMITS, DiagramError, type DiagramLimits, type TopologyGraph } from './model.js';
import { parseTopologyYaml } from './yaml.js';

/** Parse any supported diagram: draw.io XML or SVG when it starts with `<`, Simpul YAML otherwise. */
export function parseDiagram(input: Uint8Array | string, limits: DiagramLimits = DEFAULT_LIMITS): TopologyGraph {
  const text = decodeUpload(input, limits);
  if (text.trimStart().startsWith('<')) return parseDrawio(text, limits);
  if (text.trim() === '') throw new DiagramError(400, 'DIAGRAM_EMPTY');
  return parseTopologyYaml(text, limits);
}
