/**
 * The SNMP domain in the daemon: polls every inventory device with `snmp:`, follows inventory
 * reloads (sessions of removed devices are closed), stores LLDP neighbors, exports metrics
 * and serves the backbone and device endpoints.
 */
import type { ModuleDefinition, ModuleFactory } from '../module.js';
import type { Inventory } from '../inventory/model.js';
import { backboneLinks, pollPlan } from './inventory.js';
import { LldpStore } from './lldp-store.js';
import { registerSnmpMetrics } from './metrics.js';
import { Poller } from './poller.js';
import { snmpRoutes } from './routes.js';
import { SnmpService } from './service.js';

const createSnmp: ModuleFactory = (ctx) => {
  const cfg = ctx.config.snmp;
  const log = ctx.log.child({ module: 'snmp' });
  const poller = new Poller({ concurrency: cfg.maxConcurrent, clock: ctx.clock });
  const lldp = new LldpStore(ctx.store);
  const service = new SnmpService({ poller, lldp });
  ctx.provide('snmp', service);
  const opdOf = new Map<string, string>();

  const apply = (inv: Inventory): void => {
    const plan = pollPlan(inv, {
      endpoint: (d) => ctx.endpoint(d, 'snmp'),
      credentials: (name) => ctx.credentials(name),
      defaults: cfg,
    });
    for (const [device, reason] of plan.skipped) log.warn({ device, reason }, 'device not polled over SNMP');
    const polled = new Set(plan.targets.map((t) => t.id));
    for (const id of poller.deviceIds()) if (!polled.has(id)) lldp.forget(id);
    opdOf.clear();
    for (const t of plan.targets) opdOf.set(t.id, t.opd ?? '');
    poller.setDevices(plan.targets);
    service.update(inv, backboneLinks(inv), plan.skipped);
    log.info({ devices: plan.targets.length, skipped: plan.skipped.size }, 'SNMP poll targets set');
  };
  apply(ctx.inventory());
  ctx.onInventory(apply);

  poller.onPoll((r) => {
    service.observe(r.deviceId, ctx.clock.now());
    // neighbors are only trusted from a complete poll: a device that is down keeps its stored rows
    if (r.state !== 'up') return;
    try {
      lldp.sync(r.deviceId, opdOf.get(r.deviceId), poller.neighbors(r.deviceId) ?? []);
    } catch (e) {
      log.error({ err: e, device: r.deviceId }, 'storing LLDP neighbors failed');
    }
  });
  const metrics = registerSnmpMetrics(ctx.registry, poller, { links: () => service.backboneLinks() });

  return {
    name: 'snmp',
    routes: snmpRoutes(service),
    start: async () => poller.start(),
    stop: async () => {
      poller.close();
      metrics.unregister();
    },
  };
};

export const snmpModule: ModuleDefinition = { name: 'snmp', requires: ['loadedInventory'], uses: ['lab'], provides: ['snmp'], create: createSnmp };
