import { describe, expect, it } from 'vitest';
import { orderModules } from '../../src/module-order.js';
import type { ModuleDefinition } from '../../src/module.js';
import { CORE_MODULES, LAB_MODULE, MODULES } from '../../src/modules.js';

const mod = (name: string, o: Partial<ModuleDefinition> = {}): ModuleDefinition => ({ name, create: () => ({ name }), ...o });
const names = (ms: ModuleDefinition[]) => ms.map((m) => m.name);

describe('module order', () => {
  it('starts each module after the providers of what it requires or uses, otherwise as listed', () => {
    const order = orderModules([
      mod('notifications', { requires: ['requests'], uses: ['blocking'] }),
      mod('blocking', { requires: ['requests'], provides: ['blocking'] }),
      mod('requests', { provides: ['requests'] }),
      mod('db-backup'),
    ]);
    expect(names(order)).toEqual(['requests', 'blocking', 'notifications', 'db-backup']);
  });

  it('a service used but not provided is no error; one required but not provided stops the start, naming both', () => {
    expect(names(orderModules([mod('agents', { uses: ['lab'] })]))).toEqual(['agents']);
    expect(() => orderModules([mod('agents', { requires: ['snmp'] })])).toThrow("module 'agents' requires 'snmp', which no module provides");
  });

  it('refuses a circle, two providers of one service and two modules of one name', () => {
    const circle = [mod('a', { requires: ['ipam'], provides: ['requests'] }), mod('b', { requires: ['requests'], provides: ['ipam'] })];
    expect(() => orderModules(circle)).toThrow('modules require each other in a circle: a -> b -> a');
    expect(() => orderModules([mod('a', { provides: ['ipam'] }), mod('b', { provides: ['ipam'] })])).toThrow("modules 'a' and 'b' both provide 'ipam'");
    expect(() => orderModules([mod('a'), mod('a')])).toThrow("two modules are named 'a'");
  });

  it("Simpul's own modules order without error, lab before every module that reaches devices", () => {
    const order = names(orderModules([...CORE_MODULES, LAB_MODULE, ...MODULES]));
    expect(order.slice(0, 3)).toEqual(['audit', 'auth', 'inventory']);
    for (const m of ['snmp', 'agents', 'backup', 'routeros', 'blocking']) expect(order.indexOf('lab')).toBeLessThan(order.indexOf(m));
    expect(order.indexOf('snmp')).toBeLessThan(order.indexOf('agents'));
    // the core runs without the optional modules
    expect(() => orderModules([...CORE_MODULES])).not.toThrow();
  });
});
