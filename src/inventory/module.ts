// The inventory's module: loads the YAML inventory at start (an invalid one stops the start, so a
// running daemon always has one), then on every reload; offers its read side to the API and the loaded inventory to the other modules.
import type { ModuleDefinition } from '../module.js';
import { LiveInventory } from './live.js';
import { inventoryRoutes } from './routes.js';
import { InventoryService } from './service.js';

export const inventoryModule: ModuleDefinition = {
  name: 'inventory',
  provides: ['inventory', 'loadedInventory'],
  create(ctx) {
    const live = new LiveInventory(ctx.store, ctx.config.inventory, ctx.registry, ctx.log);
    live.reload();
    ctx.provide('loadedInventory', live);
    ctx.provide('inventory', new InventoryService(ctx.store));
    return { name: 'inventory', routes: inventoryRoutes };
  },
};
