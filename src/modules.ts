import type { ModuleFactory } from './module.js';
import { blockingModule } from './blocking/module.js';

/** The domain modules the daemon runs, in start order. Each domain adds its one line here. */
export const MODULES: ModuleFactory[] = [blockingModule];
