// Each node-routeros 1.6.9 defect handled by src/routeros/compat.ts, reproduced against the
// simulator twice: with the published library in a child process (where it may crash), and in
// this process with the compatibility layer loaded.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RouterOSAPI } from 'node-routeros';
import { type RouterSim, startRouterSim } from '../../../src/lab/routeros/server.js';
import { RosProtocolError, RosTrapError } from '../../../src/routeros/compat.js';
import { RouterConnection } from '../../../src/routeros/connection.js';
import { RouterError } from '../../../src/routeros/errors.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/pristine-client.mjs', import.meta.url));

function pristine(port: number, scenario: string): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [FIXTURE, String(port), scenario]);
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    p.on('close', (code) => resolve({ code, out, err }));
  });
}

let sim: RouterSim;
let conn: RouterConnection;
const apis: RouterOSAPI[] = [];

beforeEach(async () => {
  sim = await startRouterSim({ password: 'pw' });
  conn = new RouterConnection({ id: 'r1', host: '127.0.0.1', port: sim.port, user: 'admin', password: 'pw' }, { autoReconnect: false, requestTimeoutMs: 5000 });
});

afterEach(async () => {
  await conn.close();
  for (const a of apis.splice(0)) (a as unknown as { connector?: { destroy(): void } }).connector?.destroy();
  await sim.stop();
});

function patchedApi(timeout = 10): RouterOSAPI {
  const api = new RouterOSAPI({ host: '127.0.0.1', port: sim.port, user: 'admin', password: 'pw', timeout });
  apis.push(api);
  return api;
}

describe('(a) !empty reply of RouterOS 7.18+', () => {
  it('kills the process with UNKNOWNREPLY in the published library', async () => {
    sim.emptyReplies = true;
    const r = await pristine(sim.port, 'empty');
    expect(r.code).not.toBe(0);
    expect(r.err).toContain('Tried to process unknown reply: !empty');
  });

  it('resolves to no rows with the compatibility layer', async () => {
    sim.emptyReplies = true;
    const api = patchedApi();
    await api.connect();
    expect(await api.write('/ip/firewall/address-list/print')).toEqual([]);
    expect(await conn.request(['/ip/route/print'])).toEqual([]);
    // and a non-empty answer is unchanged
    sim.state.insert('/ip/route', { 'dst-address': '10.9.0.0/16', gateway: '10.0.0.2' });
    expect(await conn.request(['/ip/route/print', '=.proplist=dst-address'])).toEqual([{ 'dst-address': '10.9.0.0/16' }]);
  });
});

describe('(b) !trap category', () => {
  it('is lost by the published library (plain Error)', async () => {
    const r = await pristine(sim.port, 'trap');
    expect(JSON.parse(r.out)).toEqual({ name: 'Error', message: 'invalid value for argument address', category: null });
  });

  it('is kept with the compatibility layer', async () => {
    const api = patchedApi();
    await api.connect();
    const err = await api.write('/ip/firewall/address-list/add', ['=list=x', '=address=not-an-address!']).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RosTrapError);
    expect((err as RosTrapError).category).toBe(1);
    const viaConn = await conn.request(['/ip/firewall/address-list/add', '=list=x', '=address=300.1.1.1']).catch((e: unknown) => e);
    expect(viaConn).toBeInstanceOf(RouterError);
    expect(viaConn).toMatchObject({ kind: 'trap', category: 1, message: 'r1: invalid value for argument address' });
  });
});

describe('(c) idle-socket timeout', () => {
  it('crashes the published library when nothing listens for error', async () => {
    const r = await pristine(sim.port, 'idle');
    expect(r.code).not.toBe(0);
    expect(r.err).toContain('Timed out after 1 seconds');
  });

  it('is kept on lastError with the compatibility layer', async () => {
    const api = patchedApi(1);
    await api.connect();
    expect(api.listenerCount('error')).toBe(0);
    await new Promise((r) => setTimeout(r, 2500));
    expect(api.connected).toBe(false);
    expect(String((api as unknown as { lastError?: Error }).lastError?.message)).toContain('Timed out after 1 seconds');
  });
});

describe('(d) reply with an unregistered tag', () => {
  it('crashes the published library', async () => {
    sim.faults.strayTag = true;
    const r = await pristine(sim.port, 'stray');
    expect(r.code).not.toBe(0);
    expect(r.err).toContain('unregistered tag');
  });

  it('is dropped with the compatibility layer and the real answer still arrives', async () => {
    sim.state.insert('/ip/firewall/address-list', { list: 'a', address: '192.0.2.1' });
    sim.faults.strayTag = true;
    const api = patchedApi();
    await api.connect();
    const rows = await api.write('/ip/firewall/address-list/print', ['=.proplist=address']);
    expect(rows).toEqual([{ address: '192.0.2.1' }]);
    expect(await conn.request(['/ip/firewall/address-list/print', '=count-only='])).toEqual([{ ret: '1' }]);
  });
});

describe('(e) router closes the connection during login', () => {
  it('leaves connect() pending forever in the published library', async () => {
    sim.faults.dropAfterSentences = 0;
    const r = await pristine(sim.port, 'close-during-login');
    expect(JSON.parse(r.out)).toEqual({ outcome: 'pending' });
  });

  it('rejects with the compatibility layer', async () => {
    sim.faults.dropAfterSentences = 0;
    const err = await patchedApi()
      .connect()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RosProtocolError);
    await expect(conn.connect()).rejects.toMatchObject({ kind: 'protocol', message: 'r1: connection closed during login' });
  });
});

describe('(f) socket errors lose their code', () => {
  it('gives an empty message in the published library', async () => {
    await sim.stop();
    const r = await pristine(sim.port, 'refused');
    expect(JSON.parse(r.out)).toEqual({ name: 'RosException', message: '', code: null });
  });

  it('keeps code and message with the compatibility layer', async () => {
    await sim.stop();
    const err = (await patchedApi()
      .connect()
      .catch((e: unknown) => e)) as Error & { code?: string };
    expect(err.code).toBe('ECONNREFUSED');
    expect(err.message).toContain('ECONNREFUSED');
    await expect(conn.connect()).rejects.toMatchObject({ kind: 'unreachable' });
  });
});
