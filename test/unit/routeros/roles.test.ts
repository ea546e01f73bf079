import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { loadInventory } from '../../../src/inventory/load.js';
import { coreRouter, edgeRouter } from '../../../src/routeros/roles.js';
import type { Inventory } from '../../../src/inventory/model.js';

const inv = loadInventory(join(import.meta.dirname, '../../../inventory')).inventory as Inventory;

describe('router roles', () => {
  it('finds the core (most backbone links to other OPDs) and the edge in the example regency', () => {
    expect(coreRouter(inv)).toBe('diskominfo-core01');
    expect(edgeRouter(inv)).toBe('diskominfo-edge01');
  });

  it('config names win', () => {
    expect(coreRouter(inv, { coreRouter: 'setda-rtr01' })).toBe('setda-rtr01');
    expect(edgeRouter(inv, { edgeRouter: 'x-rtr01' })).toBe('x-rtr01');
  });

  it('no backbone links, no core and no edge', () => {
    const bare = { ...inv, links: [] };
    expect(coreRouter(bare)).toBeNull();
    expect(edgeRouter(bare)).toBeNull();
  });
});
