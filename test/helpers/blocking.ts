// A BlockingService on a real SQLite store in a temp dir, with the example inventory loaded: what the
// daemon builds, without HTTP, for tests that drive the service directly.
import { BlockingService } from '../../src/blocking/service.js';
import type { Clock } from '../../src/common/clock.js';
import { openStore } from '../../src/daemon.js';
import { reloadInventory } from '../../src/inventory/reload.js';
import type { Store } from '../../src/store/store.js';
import { tempDir, testConfig } from './daemon.js';

export function blockingOnStore(clock: Clock): { store: Store; svc: BlockingService; close(): void } {
  const t = tempDir();
  const cfg = testConfig(t.dir);
  const store = openStore(cfg, clock);
  reloadInventory(store, cfg.inventory);
  const svc = new BlockingService(store, { clock, minPrefixLength: { 4: 8, 6: 16 }, maxExceptionDays: 365 });
  return {
    store,
    svc,
    close: () => {
      store.db.close();
      t.cleanup();
    },
  };
}
