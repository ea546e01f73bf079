/**
 * The agent's polling: one Simpul DeviceReader per device (the same read side the central poller
 * uses), every device read once per cycle, a few at a time, and each cycle's polls handed on as
 * one batch. Cycles start on the interval whatever the uploads do.
 */
import { systemClock, type Clock } from '../src/common/clock.js';
import type { DevicePoll } from '../src/snmp/reader.js';
import { DeviceReader } from '../src/snmp/reader.js';
import type { PollTarget } from '../src/snmp/session.js';

interface Device {
  reader: DeviceReader;
  key: string;
}

/** Another device at the other end (read state starts over) vs. other session options (kept). */
const connectionKey = (t: PollTarget): string => JSON.stringify([t.host, t.port ?? 161, t.credentials]);

export class PollLoop {
  private readonly devices = new Map<string, Device>();
  private intervalMs = 60_000;
  private timer?: NodeJS.Timeout;
  private running = false;
  private cycling?: Promise<void>;

  constructor(
    private readonly onCycle: (polls: DevicePoll[], startedAt: Date) => void,
    private readonly opts: { clock?: Clock; concurrency?: number } = {},
  ) {}

  /** The server's device list and interval: new devices are read from the next cycle, removed ones closed. */
  setTargets(targets: PollTarget[], intervalSeconds: number): void {
    this.intervalMs = intervalSeconds * 1000;
    const wanted = new Map(targets.map((t) => [t.id, t]));
    for (const [id, d] of this.devices) {
      if (wanted.get(id) && connectionKey(wanted.get(id) as PollTarget) === d.key) continue;
      d.reader.close();
      this.devices.delete(id);
    }
    for (const t of targets) {
      const d = this.devices.get(t.id);
      if (d) d.reader.retarget(t);
      else this.devices.set(t.id, { reader: new DeviceReader(t, this.opts.clock ? { clock: this.opts.clock } : {}), key: connectionKey(t) });
    }
  }

  /** Read every device once and hand the polls on (an empty device list makes no batch). */
  async cycle(): Promise<void> {
    const startedAt = (this.opts.clock ?? systemClock).now();
    const readers = [...this.devices.values()].map((d) => d.reader);
    const polls: DevicePoll[] = [];
    let next = 0;
    const worker = async () => {
      while (next < readers.length) polls.push(await (readers[next++] as DeviceReader).read());
    };
    await Promise.all(Array.from({ length: Math.min(readers.length, this.opts.concurrency ?? 16) }, worker));
    if (polls.length > 0) this.onCycle(polls, startedAt);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    const tick = () => {
      const t0 = Date.now();
      this.cycling = this.cycle().finally(() => {
        this.cycling = undefined;
        if (this.running) this.timer = setTimeout(tick, Math.max(0, this.intervalMs - (Date.now() - t0)));
      });
    };
    tick();
  }

  /** Stop after the cycle in progress (its batch is queued). */
  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    await this.cycling;
    for (const d of this.devices.values()) d.reader.close();
    this.devices.clear();
  }
}
