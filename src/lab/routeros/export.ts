// Renders a simulated router's state as RouterOS `/export` text, for the lab SSH server that
// answers config backups. Like RouterOS: one section per menu, `add` lines with non-default
// values only, values quoted when they need it.
import { MENUS } from './menus.js';
import type { RouterState } from './state.js';

const SECTIONS = ['/interface', '/ip/address', '/ip/dns/static', '/ip/firewall/address-list', '/ip/firewall/filter', '/ip/firewall/nat', '/ip/route'];

function quote(v: string): string {
  if (/^[\w.:/*,@+-]+$/.test(v)) return v;
  return `"${v.replace(/[\\"$?]/g, (c) => `\\${c}`).replace(/\n/g, '\\n')}"`;
}

function args(fields: Record<string, string>, defaults: Record<string, string>, required: string[]): string {
  return Object.keys(fields)
    .filter((k) => k !== '.id' && k in defaults && (fields[k] !== defaults[k] || required.includes(k)))
    .sort()
    .map((k) => `${k}=${quote(fields[k] ?? '')}`)
    .join(' ');
}

export function renderExport(state: RouterState, date = new Date(0)): string {
  const resource = state.resource;
  const lines = [`# ${date.toISOString().slice(0, 19).replace('T', ' ')} by RouterOS ${resource.version ?? ''}`, `# model = ${resource['board-name'] ?? ''}`];
  for (const path of SECTIONS) {
    const def = MENUS.find((m) => m.path === path);
    if (!def) continue;
    const rows = state.list(path).filter((r) => r.dynamic !== 'true');
    if (rows.length === 0) continue;
    lines.push(path.slice(1).replaceAll('/', ' ').replace(/^/, '/'));
    for (const r of rows) {
      if (path === '/interface') {
        const a = args(r, { ...def.fields, name: r.name ?? '' }, []);
        if (a) lines.push(`set [ find default-name=${quote(r.name ?? '')} ] ${a}`);
      } else {
        lines.push(`add ${args(r, def.fields, def.required)}`);
      }
    }
  }
  lines.push('/system identity', `set name=${quote(state.identity)}`);
  return `${lines.join('\n')}\n`;
}
