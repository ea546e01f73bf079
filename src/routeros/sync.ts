// Reconcile one router, one menu at a time: read what the menu holds, plan, apply, re-read to
// confirm, then let go of its rows, so memory follows the largest menu rather than the router.
import { applyPlan, type ApplyOptions } from './apply.js';
import type { RouterConnection } from './connection.js';
import { InvalidDesiredStateError, MENU_SPECS, prepareDesired, type DesiredState, type Entry, type MenuPath, type WantedEntry } from './desired.js';
import { toRouterError, type RouterErrorKind } from './errors.js';
import type { Semaphore } from './limiter.js';
import { planMenu, type PlanStep } from './plan.js';

export interface SyncOptions extends ApplyOptions {
  /** Plan only; nothing is written. */
  dryRun?: boolean;
  /** Re-read after applying and report what still differs (default true). */
  confirm?: boolean;
  /** Global cap on routers worked on at once. */
  limiter?: Semaphore;
}

export interface SyncError {
  /** The plan step that failed, or the stage: 'read', 'apply' (connection lost while applying),
   *  'confirm' (re-read failed, or an entry still differs). */
  op: PlanStep['op'] | 'read' | 'apply' | 'confirm';
  menu?: MenuPath;
  key?: string;
  id?: string;
  kind: RouterErrorKind | 'drift';
  category?: number;
  message: string;
}

export interface SyncResult {
  result: 'ok' | 'degraded' | 'unreachable';
  /** The plan computed from what the router held before this sync (its length is the drift). */
  plan: PlanStep[];
  /** Write commands sent. */
  writes: number;
  errors: SyncError[];
  durationMs: number;
}

/** Reads one managed menu with `.proplist` limited to the fields the planner compares. */
export function readMenu(conn: RouterConnection, menu: MenuPath): Promise<Entry[]> {
  const props = ['.id', 'dynamic', ...Object.keys(MENU_SPECS[menu].fields)].join(',');
  return conn.request([`${menu}/print`, `=.proplist=${props}`]);
}

/** A failure of the connection itself, at a stage of the sync. */
function connectionError(err: unknown, op: SyncError['op']): SyncError {
  const e = toRouterError(err);
  const se: SyncError = { op, kind: e.kind, message: e.message };
  if (e.category !== undefined) se.category = e.category;
  return se;
}

/**
 * Plans (and unless dryRun, applies) the desired state on one router. Throws
 * InvalidDesiredStateError before touching the network if a desired value is malformed; every
 * router-side problem is in the result instead.
 */
export async function syncRouter(conn: RouterConnection, desired: DesiredState, opts: SyncOptions = {}): Promise<SyncResult> {
  const { issues, menus } = prepareDesired(desired);
  if (issues.length > 0) throw new InvalidDesiredStateError(issues);
  // from here on only the prepared entries are used: the caller's copy may be collected
  const placement = desired.placement;
  const release = await opts.limiter?.acquire();
  try {
    const started = Date.now();
    const steps: PlanStep[] = [];
    const errors: SyncError[] = [];
    let writes = 0;
    const done = (result: SyncResult['result']): SyncResult => ({ result, plan: steps, writes, errors, durationMs: Date.now() - started });
    /** Reads one menu and plans it; undefined when the read failed (the error is recorded). */
    const readAndPlan = async (menu: MenuPath, wanted: readonly WantedEntry[], stage: 'read' | 'confirm'): Promise<PlanStep[] | undefined> => {
      let rows: Entry[];
      try {
        rows = await readMenu(conn, menu);
      } catch (e) {
        errors.push(connectionError(e, stage));
        return undefined;
      }
      return planMenu(menu, wanted, rows, placement);
    };

    for (const [menu, wanted] of menus) {
      menus.delete(menu); // held by `wanted` until this menu is done, then let go
      const menuSteps = await readAndPlan(menu, wanted, 'read');
      if (!menuSteps) return done('unreachable');
      for (const s of menuSteps) steps.push(s);
      if (opts.dryRun || menuSteps.length === 0) continue;

      const applied = await applyPlan(conn, menuSteps, opts);
      writes += applied.writes;
      for (const e of applied.errors) errors.push(e);
      if (applied.aborted) {
        errors.push(connectionError(applied.aborted, 'apply'));
        return done('unreachable');
      }
      if (!(opts.confirm ?? true)) continue;
      const remaining = await readAndPlan(menu, wanted, 'confirm');
      if (!remaining) return done('unreachable');
      const failed = new Set(applied.errors.map((e) => e.key));
      for (const s of remaining) {
        if (failed.has(s.key)) continue;
        errors.push({ op: 'confirm', menu, key: s.key, kind: 'drift', message: `still differs after apply (${s.op}: ${s.reason})` });
      }
    }
    return done(errors.length > 0 ? 'degraded' : 'ok');
  } finally {
    release?.();
  }
}
