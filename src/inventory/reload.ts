// Loading the inventory from its YAML files into the store: the same for the daemon and the CLI.
import type { Actor } from '../auth/actor.js';
import type { Store } from '../store/store.js';
import { loadInventory } from './load.js';
import type { Inventory, InventoryProblem } from './model.js';
import { syncInventory, type SyncReport } from './sync.js';

export class InventoryInvalid extends Error {
  constructor(readonly problems: InventoryProblem[]) {
    super(`inventory has ${problems.length} problem(s):\n${formatProblems(problems)}`);
  }
}

export const formatProblems = (ps: InventoryProblem[]) => ps.map((p) => `  ${p.file}:${p.line}${p.path ? ` (${p.path})` : ''}: ${p.message}`).join('\n');

/** Loads the inventory from disk and syncs the store to it; throws with every problem when invalid. */
export function reloadInventory(store: Store, dir: string, actor?: Actor): SyncReport & { inventory: Inventory } {
  const { inventory, problems } = loadInventory(dir);
  if (!inventory) throw new InventoryInvalid(problems);
  return { ...syncInventory(store, inventory, actor), inventory };
}
