// The inventory the daemon runs on: loaded at start, reloaded on SIGHUP and by the API, announced to
// the modules that follow it (pollers, reconcilers). A bad inventory keeps the previous one.
import type { FastifyBaseLogger } from 'fastify';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { Actor } from '../auth/actor.js';
import { AppError } from '../common/errors.js';
import type { Store } from '../store/store.js';
import type { Inventory } from './model.js';
import { formatProblems, InventoryInvalid, reloadInventory } from './reload.js';
import type { SyncReport } from './sync.js';

const KINDS = ['opds', 'sites', 'devices', 'links'] as const;

export class LiveInventory {
  private loaded: Inventory | null = null;
  private readonly listeners: ((inv: Inventory) => void)[] = [];
  private readonly reloads: Counter<'result'>;
  private readonly objects: Gauge<'kind'>;

  constructor(
    private readonly store: Store,
    private readonly dir: string,
    registry: Registry,
    private readonly log: FastifyBaseLogger,
  ) {
    this.reloads = new Counter({
      name: 'simpul_inventory_reloads_total',
      help: 'Inventory loads (start and SIGHUP) by result',
      labelNames: ['result'],
      registers: [registry],
    });
    this.objects = new Gauge({
      name: 'simpul_inventory_objects',
      help: 'Objects in the loaded inventory by kind',
      labelNames: ['kind'],
      registers: [registry],
    });
  }

  /** The inventory as last loaded; throws before the first load. */
  current(): Inventory {
    if (!this.loaded) throw new Error('the inventory is not loaded yet');
    return this.loaded;
  }

  /** Called with every inventory loaded after this call. */
  onReload(fn: (inv: Inventory) => void): void {
    this.listeners.push(fn);
  }

  /** Loads from disk and syncs the store (as `actor`); throws InventoryInvalid, keeping the previous one. */
  reload(actor?: Actor): SyncReport {
    try {
      const { inventory, ...report } = reloadInventory(this.store, this.dir, actor);
      this.loaded = inventory;
      this.reloads.inc({ result: 'ok' });
      for (const k of KINDS) this.objects.set({ kind: k }, inventory[k].length);
      this.log.info({ report }, 'inventory synced');
      for (const l of this.listeners) l(inventory);
      return report;
    } catch (e) {
      this.reloads.inc({ result: 'error' });
      this.log.error(e instanceof InventoryInvalid ? { problems: e.problems } : { err: e }, 'inventory not loaded; keeping the previous one');
      throw e;
    }
  }

  /** SIGHUP's reload: a bad inventory is logged and the previous one kept (before the first load it throws). */
  reloadOrKeep(): SyncReport | null {
    try {
      return this.reload();
    } catch (e) {
      if (!this.loaded) throw e;
      return null;
    }
  }

  /** The API's reload: an invalid inventory is 422 INVENTORY_INVALID naming its first problem. */
  reloadForApi(actor: Actor): SyncReport {
    try {
      return this.reload(actor);
    } catch (e) {
      if (!(e instanceof InventoryInvalid)) throw e;
      throw new AppError(
        422,
        'INVENTORY_INVALID',
        `the inventory in ${this.dir} has ${e.problems.length} problem(s); the previous one stays loaded. First: ${formatProblems(e.problems.slice(0, 1)).trim()}`,
        undefined,
        {
          problems: e.problems.slice(0, 100),
        },
      );
    }
  }
}
