// Pushing large lists with the real client against the simulated router: one write per entry, a
// resync that writes nothing, and progress that survives a connection lost half way.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type RouterSim, startRouterSim } from '../../../src/lab/routeros/server.js';
import { RouterConnection } from '../../../src/routeros/connection.js';
import type { DesiredState } from '../../../src/routeros/desired.js';
import { syncRouter } from '../../../src/routeros/sync.js';

const AL = '/ip/firewall/address-list';
const DNS = '/ip/dns/static';

let sim: RouterSim;
let conn: RouterConnection;

beforeEach(async () => {
  sim = await startRouterSim({ password: 'pw' });
  conn = new RouterConnection(
    { id: 'r1', host: '127.0.0.1', port: sim.port, user: 'admin', password: 'pw' },
    { requestTimeoutMs: 10000, backoff: { initialMs: 20, maxMs: 50 } },
  );
});

afterEach(async () => {
  await conn.close();
  await sim.stop();
});

/** A block list as the blocking contributor writes it: DNS names first, then addresses. */
function blockList(domains: number, addresses: number): DesiredState {
  return {
    menus: {
      [DNS]: Array.from({ length: domains }, (_, i) => ({
        name: `site${i}.judi.example`,
        type: 'NXDOMAIN',
        ttl: '1h',
        'match-subdomain': i % 5 === 0 ? 'yes' : 'no',
        comment: 'simpul:block judi',
      })),
      [AL]: Array.from({ length: addresses }, (_, i) => ({
        list: 'simpul-block',
        address: `11.${i >> 8}.${i & 255}.${i % 3 === 0 ? '0/24' : '1/32'}`.replace(/\.1\/32$/, '.1'),
        comment: 'simpul:block malware',
      })),
    },
  };
}

describe('large lists', () => {
  it('writes each entry once, then a resync reads and writes nothing', async () => {
    sim.state.insert(AL, { list: 'simpul-block', address: '198.51.100.1', comment: 'by hand' });
    const first = await syncRouter(conn, blockList(1500, 1500));
    expect(first).toMatchObject({ result: 'ok', writes: 3000, errors: [] });
    expect(sim.state.list(DNS)).toHaveLength(1500);
    expect(sim.state.list(AL)).toHaveLength(1501);
    expect(sim.state.list(DNS)[0]).toMatchObject({ name: 'site0.judi.example', type: 'NXDOMAIN', ttl: '1h', 'match-subdomain': 'true' });

    const writes = sim.stats.writes;
    const again = await syncRouter(conn, blockList(1500, 1500));
    expect(again).toMatchObject({ result: 'ok', plan: [], writes: 0, errors: [] });
    expect(sim.stats.writes).toBe(writes);

    // a shorter list: the rest removed in batches, the hand-made entry kept
    const shorter = await syncRouter(conn, blockList(1000, 1000));
    expect(shorter.result).toBe('ok');
    expect(shorter.plan.every((s) => s.op === 'remove')).toBe(true);
    expect(shorter.writes).toBeLessThan(20);
    expect(sim.state.list(AL).map((r) => r.comment)).toContain('by hand');
    expect(sim.state.list(AL)).toHaveLength(1001);
  });

  it('keeps what was written when the connection is lost half way, and the next sync writes only the rest', async () => {
    // login, the DNS print, its 300 adds and the confirming print, the address-list print, then 100 adds
    sim.faults.dropAfterSentences = 1 + 1 + 300 + 1 + 1 + 100;
    const first = await syncRouter(conn, blockList(300, 300));
    expect(first.result).toBe('unreachable');
    expect(first.errors.at(-1)).toMatchObject({ op: 'apply', kind: 'unreachable' });
    expect(sim.state.list(DNS)).toHaveLength(300);
    expect(first.writes).toBeGreaterThanOrEqual(300);

    sim.faults.dropAfterSentences = undefined;
    const held = sim.state.list(AL).length;
    expect(held).toBeLessThan(300);
    const rest = await syncRouter(conn, blockList(300, 300));
    expect(rest.result).toBe('ok');
    // only what the first sync did not get to
    expect(rest.plan.every((s) => s.menu === AL && s.op === 'add')).toBe(true);
    expect(rest.writes).toBe(300 - held);
    expect(sim.state.list(AL)).toHaveLength(300);
  });
});
