import { describe, expect, it } from 'vitest';
import { backboneHealth, currentPort, linkHealth, type BackboneLink, type LinkSource } from '../../../src/snmp/backbone.js';
import type { InterfaceRates } from '../../../src/snmp/counters.js';

interface Itf {
  operUp: boolean;
  operStatus?: number;
  rates?: InterfaceRates;
}
function source(devices: Record<string, { state: string; ports: Record<string, Itf> }>): LinkSource {
  return {
    deviceState: (id) => (devices[id] ? { state: devices[id].state } : undefined),
    findInterface: (id, port) => devices[id]?.ports[String(port)],
  };
}
const up = (rates?: InterfaceRates): Itf => ({ operUp: true, operStatus: 1, ...(rates ? { rates } : {}) });
const down: Itf = { operUp: false, operStatus: 2 };
const link: BackboneLink = {
  id: 'core-dinkes',
  a: { device: 'core', port: 'Gi1/0/1' },
  b: { device: 'dinkes-rtr', port: 'ether1' },
  capacityMbps: 100,
  opd: 'DINKES',
};

describe('linkHealth', () => {
  it('is up with traffic from end A, utilization against the contracted capacity', () => {
    const h = linkHealth(
      link,
      source({
        core: {
          state: 'up',
          ports: { 'Gi1/0/1': up({ inBps: 20e6, outBps: 60e6, inErrorsPerSec: 1, outErrorsPerSec: 0, inDiscardsPerSec: 0.5, outDiscardsPerSec: 0 }) },
        },
        'dinkes-rtr': { state: 'up', ports: { ether1: up({ inBps: 60e6, outBps: 20e6, inErrorsPerSec: 2 }) } },
      }),
    );
    expect(h).toMatchObject({
      status: 'up',
      receiveBps: 20e6,
      transmitBps: 60e6,
      capacityBps: 100e6,
      utilization: 0.6,
      errorsPerSec: 3,
      discardsPerSec: 0.5,
      opd: 'DINKES',
    });
  });

  it('uses end B (swapped) when end A has no rate', () => {
    const h = linkHealth(
      link,
      source({
        core: { state: 'down', ports: {} },
        'dinkes-rtr': { state: 'up', ports: { ether1: up({ inBps: 70e6, outBps: 5e6 }) } },
      }),
    );
    expect(h).toMatchObject({ status: 'up', receiveBps: 5e6, transmitBps: 70e6, utilization: 0.7 });
    expect(h.a.known).toBe(false);
  });

  it('is down when either known end is oper down', () => {
    const h = linkHealth(link, source({ core: { state: 'up', ports: { 'Gi1/0/1': up() } }, 'dinkes-rtr': { state: 'degraded', ports: { ether1: down } } }));
    expect(h.status).toBe('down');
    expect(h.utilization).toBeUndefined();
  });

  it('is unknown when neither end can be read', () => {
    expect(linkHealth(link, source({})).status).toBe('unknown');
    expect(linkHealth(link, source({ core: { state: 'down', ports: { 'Gi1/0/1': up() } } })).status).toBe('unknown');
  });

  it('maps a list of links', () => {
    expect(backboneHealth([link, { ...link, id: 'x' }], source({})).map((h) => h.id)).toEqual(['core-dinkes', 'x']);
  });
});

describe('currentPort', () => {
  const port = { name: 'ether1', operUp: true, operStatus: 1, adminStatus: 1, rates: { inBps: 1e6, outBps: 2e6 }, totals: { inOctets: 10n } };
  it('keeps a port of a device that answers as it is', () => {
    expect(currentPort(port, 'up')).toBe(port);
    expect(currentPort(port, 'degraded')).toBe(port);
  });
  it('drops status and rates of a device that does not answer, keeping the totals', () => {
    for (const state of ['down', 'unknown', undefined]) expect(currentPort(port, state)).toEqual({ name: 'ether1', operUp: false, totals: { inOctets: 10n } });
    expect(port.operStatus).toBe(1);
  });
});
