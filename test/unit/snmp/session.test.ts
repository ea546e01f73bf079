import { afterEach, describe, expect, it } from 'vitest';
import snmp, { type Varbind } from 'net-snmp';
import { SnmpError, SnmpSession } from '../../../src/snmp/session.js';
import { compareOids, SYS } from '../../../src/snmp/oids.js';

const T = snmp.ObjectType;
type Script = (oids: string[], maxRep: number) => Array<Varbind | Varbind[]> | Error;

/** readColumns against scripted agent answers: the paging logic, without a socket round trip. */
class ScriptedSession extends SnmpSession {
  calls: Array<{ oids: string[]; maxRep: number; nonRepeaters: number }> = [];
  constructor(private readonly script: Script) {
    super({ id: 't', host: '127.0.0.1', port: 9, credentials: { version: '2c', community: 'public' } });
  }
  override async getBulk(oids: string[], nonRepeaters: number, maxRep: number): Promise<Array<Varbind | Varbind[]>> {
    this.calls.push({ oids, maxRep, nonRepeaters });
    const r = this.script(oids, maxRep);
    if (r instanceof Error) throw r;
    return r;
  }
}
const sessions: SnmpSession[] = [];
const scripted = (s: Script) => {
  const x = new ScriptedSession(s);
  sessions.push(x);
  return x;
};
afterEach(() => sessions.splice(0).forEach((s) => s.close()));

const A = '1.3.6.1.2.1.2.2.1.8';
const B = '1.3.6.1.2.1.2.2.1.10';
const int = (oid: string, value = 1): Varbind => ({ oid, type: T.Integer, value });
const end = (oid: string): Varbind => ({ oid, type: T.EndOfMibView, value: null });

/** A well-behaved agent over a table with `rows` rows in columns A and B (B is the last thing in its MIB). */
function table(rows: number): Script {
  const all = [...Array.from({ length: rows }, (_, i) => `${A}.${i + 1}`), ...Array.from({ length: rows }, (_, i) => `${B}.${i + 1}`)];
  return (oids, maxRep) =>
    oids.map((start) => {
      const out: Varbind[] = [];
      let at = all.findIndex((o) => compareOids(o, start) > 0);
      for (let k = 0; k < maxRep; k++) {
        const oid = at >= 0 && at < all.length ? all[at++] : undefined;
        out.push(oid ? int(oid) : end(start));
        if (!oid) break;
      }
      return out;
    });
}

describe('SnmpSession.readColumns', () => {
  it('reads several columns together, page by page, until each leaves its column', async () => {
    const s = scripted(table(7));
    const data = await s.readColumns([A, B], { maxRepetitions: 3 });
    expect([...(data.get(A)?.keys() ?? [])]).toEqual(['1', '2', '3', '4', '5', '6', '7']);
    expect([...(data.get(B)?.keys() ?? [])]).toEqual(['1', '2', '3', '4', '5', '6', '7']);
    // both columns in each request while both are open
    expect(s.calls[0]?.oids).toEqual([A, B]);
    expect(s.calls.length).toBeLessThanOrEqual(4);
  });

  it('stops a column at endOfMibView or noSuchObject answered early', async () => {
    const s = scripted((oids) => oids.map((o) => (o === A ? [int(`${A}.1`), { oid: `${A}.1`, type: T.NoSuchObject, value: null }] : [end(o)])));
    const data = await s.readColumns([A, B], { maxRepetitions: 5 });
    expect(data.get(A)?.size).toBe(1);
    expect(data.get(B)?.size).toBe(0);
  });

  it('fails on an OID that does not increase instead of looping', async () => {
    const s = scripted((oids) => oids.map(() => [int(`${A}.5`), int(`${A}.5`)]));
    await expect(s.readColumns([A], { maxRepetitions: 5 })).rejects.toMatchObject({ reason: 'non_increasing_oid' });
    const back = scripted((oids) => oids.map((o) => (o === A ? [int(`${A}.5`)] : [int(`${A}.3`)])));
    await expect(back.readColumns([A], { maxRepetitions: 1 })).rejects.toMatchObject({ reason: 'non_increasing_oid' });
  });

  it('fails when the agent answers nothing for every open column', async () => {
    const s = scripted((oids) => oids.map(() => []));
    await expect(s.readColumns([A, B], { maxRepetitions: 5 })).rejects.toMatchObject({ reason: 'no_progress' });
  });

  it('refuses a table larger than maxRows', async () => {
    let n = 0;
    const s = scripted((oids) => oids.map(() => Array.from({ length: 10 }, () => int(`${A}.${++n}`))));
    await expect(s.readColumns([A], { maxRepetitions: 10, maxRows: 25 })).rejects.toMatchObject({ reason: 'table_too_large' });
  });

  it('halves max-repetitions on tooBig', async () => {
    const ok = table(4);
    const s = scripted((oids, maxRep) => (maxRep > 4 ? new SnmpError('too_big', 'tooBig') : ok(oids, maxRep)));
    const data = await s.readColumns([A], { maxRepetitions: 16 });
    expect(data.get(A)?.size).toBe(4);
    expect(s.calls.map((c) => c.maxRep).slice(0, 3)).toEqual([16, 8, 4]);
  });

  it('passes other errors through, classified', async () => {
    const s = scripted(() => new SnmpError('timeout', 'Request timed out'));
    await expect(s.readColumns([A], { maxRepetitions: 5 })).rejects.toMatchObject({ reason: 'timeout' });
  });

  it('stops at the deadline', async () => {
    let now = 0;
    const s = scripted((oids) => {
      now += 1000;
      return oids.map(() => [int(`${A}.${now}`)]);
    });
    await expect(s.readColumns([A], { maxRepetitions: 1, deadline: 2500, now: () => now })).rejects.toMatchObject({ reason: 'deadline' });
  });
});

describe('SnmpSession.readColumnsTimed', () => {
  const UP = `${SYS.upTime}.0`;
  /** table(rows), with sysUpTime.0 answered to the leading non-repeater: 100 ticks more on every page. */
  const timed = (rows: number, up: (page: number) => Varbind = (page) => ({ oid: UP, type: T.TimeTicks, value: 5000 + page * 100 })): Script => {
    const inner = table(rows);
    let page = 0;
    return (oids, maxRep) => {
      const r = inner(oids.slice(1), maxRep);
      return r instanceof Error ? r : [up(page++), ...r];
    };
  };

  it('puts sysUpTime first as the only non-repeater of every page and dates each cell by its page', async () => {
    const s = scripted(timed(5));
    let t = 1000;
    const r = await s.readColumnsTimed([A, B], { maxRepetitions: 2, now: () => (t += 7) });
    expect(s.calls.length).toBe(3);
    for (const c of s.calls) {
      expect(c.nonRepeaters).toBe(1);
      expect(c.oids[0]).toBe(SYS.upTime);
    }
    expect(r.first).toEqual({ uptimeTicks: 5000, wallMs: 1007 });
    expect([...(r.data.get(A)?.keys() ?? [])]).toEqual(['1', '2', '3', '4', '5']);
    expect([...(r.ticks.get(A)?.entries() ?? [])]).toEqual([
      ['1', 5000],
      ['2', 5000],
      ['3', 5100],
      ['4', 5100],
      ['5', 5200],
    ]);
    expect(r.ticks.get(B)?.get('5')).toBe(5200);
  });

  it('plain readColumns sends no non-repeater', async () => {
    const s = scripted(table(3));
    await s.readColumns([A], { maxRepetitions: 5 });
    expect(s.calls.map((c) => [c.nonRepeaters, c.oids[0]])).toEqual([[0, A]]);
  });

  it('refuses a page whose non-repeater is not sysUpTime.0 as TimeTicks', async () => {
    await expect(scripted(timed(3, () => int(UP, 5))).readColumnsTimed([A], { maxRepetitions: 5 })).rejects.toMatchObject({ reason: 'wrong_type' });
    await expect(scripted(timed(3, () => int(`${SYS.upTime}.1`, 5))).readColumnsTimed([A], { maxRepetitions: 5 })).rejects.toMatchObject({
      reason: 'no_such_object',
    });
    await expect(scripted(timed(3, () => end(SYS.upTime))).readColumnsTimed([A], { maxRepetitions: 5 })).rejects.toMatchObject({ reason: 'no_such_object' });
  });
});
