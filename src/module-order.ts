// The order modules start in: a module after every module providing what it requires or uses.
import type { ModuleDefinition } from './module.js';

/**
 * Orders modules so that each follows the providers of its `requires` and `uses`, keeping the listed
 * order otherwise. Throws naming the module when a requirement has no provider, two modules provide
 * one service, or modules require each other in a circle.
 */
export function orderModules(defs: readonly ModuleDefinition[]): ModuleDefinition[] {
  const providerOf = new Map<string, ModuleDefinition>();
  const names = new Set<string>();
  for (const d of defs) {
    if (names.has(d.name)) throw new Error(`two modules are named '${d.name}'`);
    names.add(d.name);
    for (const p of d.provides ?? []) {
      const other = providerOf.get(p);
      if (other) throw new Error(`modules '${other.name}' and '${d.name}' both provide '${p}'`);
      providerOf.set(p, d);
    }
  }
  for (const d of defs)
    for (const r of d.requires ?? []) if (!providerOf.has(r)) throw new Error(`module '${d.name}' requires '${r}', which no module provides`);

  const out: ModuleDefinition[] = [];
  const done = new Set<ModuleDefinition>();
  const path: ModuleDefinition[] = [];
  const visit = (d: ModuleDefinition): void => {
    if (done.has(d)) return;
    const at = path.indexOf(d);
    if (at >= 0) throw new Error(`modules require each other in a circle: ${[...path.slice(at), d].map((m) => m.name).join(' -> ')}`);
    path.push(d);
    for (const r of [...(d.requires ?? []), ...(d.uses ?? [])]) {
      const p = providerOf.get(r);
      if (p && p !== d) visit(p);
    }
    path.pop();
    done.add(d);
    out.push(d);
  };
  for (const d of defs) visit(d);
  return out;
}
