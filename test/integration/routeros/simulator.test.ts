// The simulator at the wire level, with a raw socket: what a RouterOS API client sees byte-wise.
import net from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type RouterSim, startRouterSim } from '../../../src/lab/routeros/server.js';
import { encodeSentence, SentenceDecoder } from '../../../src/routeros/wire.js';

let sim: RouterSim;
let socket: net.Socket;
let inbox: string[][];
let waiters: Array<() => void>;

async function open(): Promise<void> {
  socket = net.connect(sim.port, '127.0.0.1');
  const decoder = new SentenceDecoder();
  inbox = [];
  waiters = [];
  socket.on('data', (c: Buffer) => {
    inbox.push(...decoder.push(c));
    for (const w of waiters.splice(0)) w();
  });
  await new Promise((r) => socket.once('connect', r));
}

async function receive(n: number): Promise<string[][]> {
  while (inbox.length < n) await new Promise<void>((r) => waiters.push(r));
  return inbox.splice(0, n);
}

const send = (...words: string[]) => socket.write(encodeSentence(words));

beforeEach(async () => {
  sim = await startRouterSim({ password: 'pw' });
  await open();
});

afterEach(async () => {
  socket.destroy();
  await sim.stop();
});

describe('wire protocol', () => {
  it('answers /login with a bare !done, or !trap then !done, echoing .tag second', async () => {
    send('/login', '=name=admin', '=password=bad', '.tag=a');
    expect(await receive(2)).toEqual([
      ['!trap', '.tag=a', '=message=invalid user name or password (6)'],
      ['!done', '.tag=a'],
    ]);
    send('/login', '=name=admin', '=password=pw');
    expect(await receive(1)).toEqual([['!done']]);
    send('/ip/firewall/address-list/add', '=list=x', '=address=10.0.0.1', '.tag=b');
    const [[done, tag, ret]] = (await receive(1)) as [[string, string, string]];
    expect([done, tag]).toEqual(['!done', '.tag=b']);
    expect(ret).toMatch(/^=ret=\*[0-9A-F]+$/);
    expect(sim.stats).toMatchObject({ logins: 1, sentences: 3, writes: 1 });
  });

  it('interrupts a pending command on /cancel', async () => {
    send('/login', '=name=admin', '=password=pw');
    await receive(1);
    sim.faults.latencyMs = 200;
    send('/ip/route/print', '.tag=slow1');
    send('/ip/route/print', '.tag=slow2');
    send('/cancel', '=tag=slow2', '.tag=c');
    expect(await receive(3)).toEqual([
      ['!trap', '.tag=slow2', '=category=2', '=message=interrupted'],
      ['!done', '.tag=slow2'],
      ['!done', '.tag=c'],
    ]);
    expect(await receive(1)).toEqual([['!done', '.tag=slow1']]);
  });

  it('comes back on the same port after a stop', async () => {
    const port = sim.port;
    await sim.stop();
    expect(sim.running).toBe(false);
    await sim.start();
    expect(sim.port).toBe(port);
    await open();
    send('/login', '=name=admin', '=password=pw');
    expect(await receive(1)).toEqual([['!done']]);
  });
});
