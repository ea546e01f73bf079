// Keeps every inventory router holding its desired state: one connection per router, a global cap
// on routers worked on at once, per-router state an operator can read, retries with capped
// exponential backoff, periodic drift checks, and resyncs when a contributor's data changes.
import { createHash } from 'node:crypto';
import type { Device, Inventory } from '../inventory/model.js';
import type { DeviceService, Endpoint } from '../module.js';
import { RouterConnection, type RouterEndpoint } from './connection.js';
import type { AfterApply, ChangedRouters, DesiredRegistry } from './contributors.js';
import type { DesiredState, Entry, MenuPath } from './desired.js';
import { RouterError, type RouterErrorKind } from './errors.js';
import { Semaphore } from './limiter.js';
import { isManagedRouter } from './roles.js';
import type { PlanStep } from './plan.js';
import { syncRouter, type SyncError, type SyncResult } from './sync.js';

export type RouterState = 'unknown' | 'syncing' | 'in-sync' | 'drift' | 'unreachable' | 'degraded';

export interface ReconcilerSettings {
  driftIntervalSeconds: number;
  correctDrift: boolean;
  autoApply: boolean;
  maxConcurrent: number;
  requestTimeoutSeconds: number;
  connectTimeoutSeconds: number;
}

export interface ReconcilerDeps {
  settings: ReconcilerSettings;
  inventory(): Inventory;
  endpoint(device: Device, service: DeviceService): Endpoint | null;
  credentials(name: string): Record<string, string>;
  desired: DesiredRegistry;
  /** TLS options for an API-SSL router (e.g. its CA); `true` verifies against the system CAs. */
  tlsFor?(device: Device, credential: Record<string, string>): RouterEndpoint['tls'];
  /** Called after every sync attempt (metrics). */
  onSync?(routerId: string, result: SyncOutcome, durationMs: number): void;
  /** Called after a background apply that wrote something (the audit log). */
  onApplied?(status: RouterStatus, result: SyncResult): void;
  /** The router reported a version or model other than the inventory's (log line; metrics read the status). */
  onMismatch?(routerId: string, mismatch: InventoryMismatch[]): void;
  log?: { info(o: object, m: string): void; warn(o: object, m: string): void };
  /** Retry delays when a router is unreachable. */
  backoff?: { initialMs: number; maxMs: number };
  debounceMs?: number;
}

/** A field where the inventory disagrees with what the router says of itself (`/system/resource`). */
export interface InventoryMismatch {
  field: 'version' | 'model';
  inventory: string;
  router: string;
}

/** What the router says it is, read at each (re)connection: this, not the inventory, decides forms and limits. */
export interface RouterSystem {
  version: string | null;
  board: string | null;
}

/** How one sync attempt ended: the sync's own result, or the desired state refused before any I/O. */
export type SyncOutcome = SyncResult['result'] | 'refused';

export interface RouterStatus {
  id: string;
  opd: string;
  name: string;
  state: RouterState;
  reason: string | null;
  lastSuccessAt: string | null;
  lastSyncAt: string | null;
  /** Entries that differed from the desired state at the last read (0 once applied). */
  drift: number;
  /** Entries Simpul manages on this router (the desired state's size). */
  entriesManaged: number;
  /** Desired state changed but not applied yet (autoApply off). */
  pendingApply: boolean;
  lastPlan: PlanStep[];
  errors: SyncError[];
  notes: string[];
  syncs: Record<SyncOutcome, number>;
  nextRetryAt: string | null;
  /** Read from the router at its last connection; null until then. */
  system: RouterSystem | null;
  inventoryMismatch: InventoryMismatch[];
  /** How it blocks names, from the last apply (adlist: the router's own name count). */
  dns: AfterApply['dns'] | null;
}

/** A router-side failure for the HTTP layer, or a desired state a contributor refused. */
export class RouterUnavailable extends Error {
  constructor(
    readonly routerId: string,
    readonly kind: RouterErrorKind | 'refused' | 'no-endpoint',
    message: string,
    /** The sync that found the router unreachable (its errors and measured duration), when one ran. */
    readonly result?: SyncResult,
  ) {
    super(message);
  }
}

interface Slot {
  device: Device;
  /** What the connection was built from: a change means a new connection. */
  fingerprint: string;
  conn: RouterConnection | null;
  status: RouterStatus;
  appliedHash: string | null;
  desiredHash: string | null;
  failures: number;
  retryTimer: NodeJS.Timeout | undefined;
  /** Per-router queue: one sync at a time. */
  chain: Promise<unknown>;
  /** A background sync is queued and not started yet (coalesces triggers). */
  queued: 'apply' | 'check' | null;
  /** `/system/resource` must be read (again) before the next desired state: a new connection. */
  systemStale: boolean;
}

type Mode = 'apply' | 'check';

/** Stable hash of a desired state: key order inside entries does not matter, entry order does. */
export function desiredHash(d: DesiredState): string {
  const menus = Object.keys(d.menus)
    .sort()
    .map((m) => [m, (d.menus[m as MenuPath] ?? []).map((e: Entry) => Object.entries(e).sort(([a], [b]) => (a < b ? -1 : 1)))]);
  return createHash('sha256')
    .update(JSON.stringify([menus, d.placement ?? {}]))
    .digest('hex');
}

const count = (d: DesiredState) => Object.values(d.menus).reduce((n, es) => n + (es?.length ?? 0), 0);

/** `7.18.2 (stable)` -> `7.18.2`. */
export function parseVersion(v: string | undefined): string | null {
  return /^\d+(\.\d+){0,2}/.exec(v ?? '')?.[0] ?? null;
}

/** The device as the router describes itself: its read model and version replace the inventory's. */
function withSystem(d: Device, sys: RouterSystem | null): Device {
  if (!sys || !d.routeros) return d;
  return { ...d, model: sys.board ?? d.model, routeros: { ...d.routeros, ...(sys.version ? { version: sys.version } : {}) } };
}

export function mismatches(d: Device, sys: RouterSystem): InventoryMismatch[] {
  const out: InventoryMismatch[] = [];
  const inv = d.routeros?.version;
  if (inv && sys.version && inv !== sys.version) out.push({ field: 'version', inventory: inv, router: sys.version });
  if (sys.board && d.model !== sys.board) out.push({ field: 'model', inventory: d.model, router: sys.board });
  return out;
}

function summarize(errors: SyncError[]): string {
  const first = errors[0];
  if (!first) return '';
  const where = first.menu ? ` ${first.menu}${first.key ? ` ${first.key.replaceAll('\u0000', ' ')}` : ''}` : '';
  return `${errors.length} error(s); first: ${first.op}${where}: ${first.message}`;
}

export class Reconciler {
  private readonly slots = new Map<string, Slot>();
  private readonly limiter: Semaphore;
  private driftTimer: NodeJS.Timeout | undefined;
  private debounceTimer: NodeJS.Timeout | undefined;
  private pendingChange: Set<string> | 'all' | null = null;
  private stopped = false;
  private readonly backoff: { initialMs: number; maxMs: number };

  constructor(private readonly deps: ReconcilerDeps) {
    this.limiter = new Semaphore(deps.settings.maxConcurrent);
    this.backoff = deps.backoff ?? { initialMs: 2000, maxMs: 300_000 };
    deps.desired.onChange((routers) => this.desiredChanged(routers));
  }

  /** Builds the connections and runs the first sync (or a check when autoApply is off). */
  start(): void {
    this.setInventory(this.deps.inventory(), false);
    for (const s of this.slots.values()) this.enqueue(s, this.deps.settings.autoApply ? 'apply' : 'check');
    const every = this.deps.settings.driftIntervalSeconds * 1000;
    this.driftTimer = setInterval(() => this.driftCheck(), every);
    this.driftTimer.unref();
  }

  /** Inventory reloaded: routers added, replaced (address, port, credentials changed) or removed. */
  setInventory(inv: Inventory, sync = true): void {
    const seen = new Set<string>();
    for (const d of inv.devices.filter(isManagedRouter)) {
      seen.add(d.id);
      const fp = JSON.stringify([d.mgmt, d.routeros, d.opd, d.name]);
      const old = this.slots.get(d.id);
      if (old && old.fingerprint === fp) {
        old.device = d;
        continue;
      }
      if (old) this.drop(old);
      this.slots.set(d.id, this.createSlot(d, fp));
    }
    for (const [id, s] of this.slots) if (!seen.has(id)) this.drop(s), this.slots.delete(id);
    // new routers, and contributors that read the inventory (roles, links): recompute everyone
    if (sync) this.desiredChanged('all');
  }

  private createSlot(device: Device, fingerprint: string): Slot {
    const status: RouterStatus = {
      id: device.id,
      opd: device.opd,
      name: device.name,
      state: 'unknown',
      reason: 'not synced yet',
      lastSuccessAt: null,
      lastSyncAt: null,
      drift: 0,
      entriesManaged: 0,
      pendingApply: false,
      lastPlan: [],
      errors: [],
      notes: [],
      syncs: { ok: 0, degraded: 0, unreachable: 0, refused: 0 },
      nextRetryAt: null,
      system: null,
      inventoryMismatch: [],
      dns: null,
    };
    const slot: Slot = {
      device,
      fingerprint,
      conn: null,
      status,
      appliedHash: null,
      desiredHash: null,
      failures: 0,
      retryTimer: undefined,
      chain: Promise.resolve(),
      queued: null,
      systemStale: true,
    };
    try {
      slot.conn = this.connect(device);
      // a new connection may be a router upgraded or replaced: read it again
      slot.conn?.on('up', () => (slot.systemStale = true));
      slot.conn?.on('down', () => (slot.systemStale = true));
      if (!slot.conn) status.reason = 'no endpoint for this router (no simulator in lab mode, or no routeros section)';
    } catch (e) {
      status.state = 'degraded';
      status.reason = (e as Error).message;
    }
    return slot;
  }

  private connect(d: Device): RouterConnection | null {
    const ep = this.deps.endpoint(d, 'routeros');
    if (!ep || !d.routeros) return null;
    const cred = this.deps.credentials(d.routeros.credentials);
    const user = cred.username ?? cred.user;
    if (!user || cred.password === undefined) throw new Error(`credential '${d.routeros.credentials}' needs username and password`);
    const tls = d.routeros.tls ? (this.deps.tlsFor?.(d, cred) ?? true) : false;
    const s = this.deps.settings;
    return new RouterConnection(
      { id: d.id, host: ep.host, port: ep.port, user, password: cred.password, ...(tls ? { tls } : {}) },
      { autoReconnect: false, connectTimeoutMs: s.connectTimeoutSeconds * 1000, requestTimeoutMs: s.requestTimeoutSeconds * 1000 },
    );
  }

  private drop(s: Slot): void {
    clearTimeout(s.retryTimer);
    s.retryTimer = undefined;
    void s.conn?.close();
    s.conn = null;
  }

  ids(): string[] {
    return [...this.slots.keys()];
  }

  list(): RouterStatus[] {
    return [...this.slots.values()].map((s) => s.status);
  }

  status(id: string): RouterStatus | undefined {
    return this.slots.get(id)?.status;
  }

  /** Contributors' data changed: recompute (debounced) and sync the routers whose desired state hash moved. */
  private desiredChanged(routers: ChangedRouters): void {
    if (this.stopped) return;
    if (routers === 'all' || this.pendingChange === 'all') this.pendingChange = 'all';
    else {
      this.pendingChange ??= new Set();
      for (const r of routers) this.pendingChange.add(r);
    }
    if (this.debounceTimer) return;
    this.debounceTimer = setTimeout(() => {
      this.debounceTimer = undefined;
      const which = this.pendingChange;
      this.pendingChange = null;
      const slots = which === 'all' ? [...this.slots.values()] : [...(which ?? [])].flatMap((id) => this.slots.get(id) ?? []);
      for (const s of slots) {
        const before = s.desiredHash;
        const hash = this.computeDesired(s) ? s.desiredHash : null;
        if (hash !== null && hash === s.appliedHash) continue;
        // an unreachable router with nothing new for it waits for its backoff
        if (hash === before && s.retryTimer) continue;
        // autoApply off: the change was already checked and waits for an operator
        if (hash !== null && hash === before && s.status.state !== 'unknown' && !this.deps.settings.autoApply) continue;
        this.enqueue(s, this.deps.settings.autoApply ? 'apply' : 'check');
      }
    }, this.deps.debounceMs ?? 500);
    this.debounceTimer.unref();
  }

  private driftCheck(): void {
    const { correctDrift, autoApply } = this.deps.settings;
    for (const s of this.slots.values()) {
      if (s.retryTimer) continue; // an unreachable router is on its own backoff schedule
      const d = this.computeDesired(s);
      const unchanged = d !== null && desiredHash(d) === s.appliedHash;
      this.enqueue(s, correctDrift && (autoApply || unchanged) ? 'apply' : 'check');
    }
  }

  /**
   * Reads `/system/resource` once per connection: the version decides the forms contributors use,
   * the board name the model limits. A failed read leaves the last one (the sync reports the error).
   */
  private async readSystem(s: Slot): Promise<void> {
    if (!s.systemStale || !s.conn) return;
    const rows = await s.conn.request(['/system/resource/print', '=.proplist=version,board-name']).catch(() => null);
    const row = rows?.[0];
    if (!row) return;
    s.systemStale = false;
    const sys: RouterSystem = { version: parseVersion(row.version), board: row['board-name'] || null };
    const found = mismatches(s.device, sys);
    if (JSON.stringify(found) !== JSON.stringify(s.status.inventoryMismatch) && found.length) this.deps.onMismatch?.(s.device.id, found);
    s.status.system = sys;
    s.status.inventoryMismatch = found;
  }

  /** The merged desired state, or null (router degraded, nothing pushed) when a contributor refuses. */
  private computeDesired(s: Slot): DesiredState | null {
    try {
      const d = this.deps.desired.desiredFor(withSystem(s.device, s.status.system), this.deps.inventory());
      s.status.notes = this.deps.desired.notes(s.device.id);
      s.desiredHash = desiredHash(d);
      s.status.entriesManaged = count(d);
      return d;
    } catch (e) {
      s.status.notes = this.deps.desired.notes(s.device.id);
      s.desiredHash = null;
      s.status.state = 'degraded';
      s.status.reason = `desired state refused: ${(e as Error).message}`;
      return null;
    }
  }

  /** Queues a background sync unless an equal or stronger one is already waiting. */
  private enqueue(s: Slot, mode: Mode): void {
    if (this.stopped || !s.conn) return;
    if (s.queued === 'apply' || s.queued === mode) return;
    const already = s.queued !== null;
    s.queued = mode;
    if (already) return;
    s.chain = s.chain.then(async () => {
      const m = s.queued ?? mode;
      s.queued = null;
      if (this.stopped || this.slots.get(s.device.id) !== s) return;
      const r = await this.run(s, m).catch((e: unknown) => {
        this.deps.log?.warn({ err: e, router: s.device.id }, 'router sync failed');
        return null;
      });
      if (r && m === 'apply' && r.result.writes > 0) this.deps.onApplied?.(s.status, r.result);
    });
  }

  /** Runs one sync now (after anything queued for this router) and reports its result. */
  private exclusive<T>(s: Slot, fn: () => Promise<T>): Promise<T> {
    const p = s.chain.then(fn);
    s.chain = p.catch(() => {});
    return p;
  }

  private scheduleRetry(s: Slot): void {
    if (this.stopped || s.retryTimer) return;
    const delay = Math.min(this.backoff.maxMs, this.backoff.initialMs * 2 ** Math.max(0, s.failures - 1));
    s.status.nextRetryAt = new Date(Date.now() + delay).toISOString();
    s.retryTimer = setTimeout(() => {
      s.retryTimer = undefined;
      s.status.nextRetryAt = null;
      this.enqueue(s, this.deps.settings.autoApply ? 'apply' : 'check');
    }, delay);
    s.retryTimer.unref();
  }

  /**
   * One sync of one router: apply (read, plan, write, confirm) or check (read and plan only).
   * Throws RouterUnavailable only for callers that asked (`strict`); the status is updated either way.
   */
  private async run(s: Slot, mode: Mode): Promise<{ result: SyncResult; desired: DesiredState } | null> {
    const st = s.status;
    // a desired state refused on what is known already is never sent: the router is not contacted
    let d = this.computeDesired(s);
    if (d && s.systemStale) {
      await this.readSystem(s);
      d = this.computeDesired(s);
    }
    if (!d) {
      st.syncs.refused++;
      this.deps.onSync?.(s.device.id, 'refused', 0);
      return null;
    }
    const conn = s.conn;
    if (!conn) return null;
    const prev = st.state;
    st.state = 'syncing';
    const hash = desiredHash(d);
    let r: SyncResult;
    try {
      r = await syncRouter(conn, d, { limiter: this.limiter, dryRun: mode === 'check' });
    } catch (e) {
      // a malformed value from a contributor: nothing was sent
      st.state = 'degraded';
      st.reason = `desired state invalid: ${(e as Error).message}`;
      st.syncs.refused++;
      this.deps.onSync?.(s.device.id, 'refused', 0);
      return null;
    }
    st.lastSyncAt = new Date().toISOString();
    st.syncs[r.result]++;
    this.deps.onSync?.(s.device.id, r.result, r.durationMs);
    if (r.result === 'unreachable') {
      s.failures++;
      st.state = 'unreachable';
      st.errors = r.errors;
      st.reason = r.errors.at(-1)?.message ?? 'unreachable';
      this.scheduleRetry(s);
      return { result: r, desired: d };
    }
    if (s.failures > 0 && prev === 'unreachable') this.deps.log?.info({ router: s.device.id }, 'router reachable again');
    s.failures = 0;
    clearTimeout(s.retryTimer);
    s.retryTimer = undefined;
    st.nextRetryAt = null;
    st.lastPlan = r.plan;
    st.errors = r.errors;
    if (mode === 'check') {
      st.drift = r.plan.length;
      if (r.plan.length === 0) s.appliedHash = hash;
      st.pendingApply = r.plan.length > 0 && !this.deps.settings.autoApply && hash !== s.appliedHash;
      st.state = r.plan.length === 0 ? 'in-sync' : 'drift';
      // with correctDrift on, the next drift check applies (the desired state is unchanged, see driftCheck)
      const then = this.deps.settings.correctDrift ? 'correctDrift is on: the next drift check applies the desired state' : 'correctDrift is off';
      st.reason =
        r.plan.length === 0
          ? null
          : st.pendingApply
            ? `${r.plan.length} change(s) wait for an operator's apply`
            : `${r.plan.length} entr${r.plan.length === 1 ? 'y differs' : 'ies differ'} from the desired state (${then})`;
      if (r.plan.length === 0) st.lastSuccessAt = st.lastSyncAt;
      return { result: r, desired: d };
    }
    if (r.result === 'ok') {
      s.appliedHash = hash;
      st.drift = 0;
      st.pendingApply = false;
      st.lastSuccessAt = st.lastSyncAt;
      const after = await this.deps.desired.afterApply(withSystem(s.device, st.system), conn);
      st.dns = after.dns ?? null;
      st.state = after.degraded ? 'degraded' : 'in-sync';
      st.reason = after.degraded ?? null;
    } else {
      st.state = 'degraded';
      st.reason = summarize(r.errors);
      st.drift = r.errors.length;
    }
    return { result: r, desired: d };
  }

  /**
   * Reads the router now and returns what an apply would do; writes nothing. A plan is a read:
   * the router's status (state, reason, drift, counts) stays what the last sync left, so only the
   * reconciler's own syncs, which know correctDrift and autoApply, say what drift means.
   */
  async plan(id: string): Promise<{ status: RouterStatus; steps: PlanStep[] }> {
    const s = this.slot(id);
    return this.exclusive(s, async () => {
      if (this.computeDesired(s)) await this.readSystem(s);
      const d = this.computeDesired(s);
      let r: { result: SyncResult } | null = null;
      if (d && s.conn) {
        try {
          r = { result: await syncRouter(s.conn, d, { limiter: this.limiter, dryRun: true }) };
        } catch (e) {
          throw new RouterUnavailable(id, 'refused', `desired state invalid: ${(e as Error).message}`);
        }
      }
      this.throwIfFailed(s, r);
      return { status: { ...s.status }, steps: r?.result.plan ?? [] };
    });
  }

  /** An operator's apply: runs now, whatever autoApply says. */
  async apply(id: string): Promise<{ status: RouterStatus; result: SyncResult }> {
    const s = this.slot(id);
    return this.exclusive(s, async () => {
      const r = await this.run(s, 'apply');
      this.throwIfFailed(s, r);
      // a copy: a sync queued behind this one may start before the answer is written
      return { status: { ...s.status }, result: (r as { result: SyncResult }).result };
    });
  }

  private throwIfFailed(s: Slot, r: { result: SyncResult } | null): void {
    if (!s.conn) throw new RouterUnavailable(s.device.id, 'no-endpoint', s.status.reason ?? 'no endpoint');
    if (!r) throw new RouterUnavailable(s.device.id, 'refused', s.status.reason ?? 'desired state refused');
    if (r.result.result === 'unreachable') {
      const last = r.result.errors.at(-1);
      throw new RouterUnavailable(s.device.id, (last?.kind as RouterErrorKind | undefined) ?? 'unreachable', last?.message ?? 'unreachable', r.result);
    }
  }

  private slot(id: string): Slot {
    const s = this.slots.get(id);
    if (!s) throw new RouterError('unreachable', `no router ${id}`);
    return s;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.driftTimer);
    clearTimeout(this.debounceTimer);
    for (const s of this.slots.values()) this.drop(s);
    await Promise.all([...this.slots.values()].map((s) => s.chain.catch(() => {})));
  }
}
