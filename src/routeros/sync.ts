// Reconcile one router: read what it holds, plan, apply, re-read to confirm.
import { applyPlan, type ApplyOptions, type StepError } from './apply.js';
import type { RouterConnection } from './connection.js';
import { InvalidDesiredStateError, MENU_SPECS, validateDesired, type DesiredState, type MenuPath } from './desired.js';
import { toRouterError, type RouterErrorKind } from './errors.js';
import type { Semaphore } from './limiter.js';
import { plan, type ActualState, type PlanStep } from './plan.js';

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

/** Reads the managed menus with `.proplist` limited to the fields the planner compares. */
export async function readActual(conn: RouterConnection, menus: readonly MenuPath[]): Promise<ActualState> {
  const out: ActualState = {};
  await Promise.all(
    menus.map(async (menu) => {
      const props = ['.id', 'dynamic', ...Object.keys(MENU_SPECS[menu].fields)].join(',');
      out[menu] = await conn.request([`${menu}/print`, `=.proplist=${props}`]);
    }),
  );
  return out;
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
  const issues = validateDesired(desired);
  if (issues.length > 0) throw new InvalidDesiredStateError(issues);
  const release = await opts.limiter?.acquire();
  try {
    const started = Date.now();
    const done = (result: SyncResult['result'], steps: PlanStep[], writes: number, errors: SyncError[]): SyncResult => ({ result, plan: steps, writes, errors, durationMs: Date.now() - started });
    const menus = Object.keys(desired.menus) as MenuPath[];
    let actual: ActualState;
    try {
      actual = await readActual(conn, menus);
    } catch (e) {
      return done('unreachable', [], 0, [connectionError(e, 'read')]);
    }
    const steps = plan(desired, actual);
    if (opts.dryRun || steps.length === 0) return done('ok', steps, 0, []);

    const applied = await applyPlan(conn, steps, opts);
    const errors: SyncError[] = [...applied.errors];
    if (applied.aborted) return done('unreachable', steps, applied.writes, [...errors, connectionError(applied.aborted, 'apply')]);
    if (opts.confirm ?? true) {
      let remaining: PlanStep[];
      try {
        remaining = plan(desired, await readActual(conn, menus));
      } catch (e) {
        return done('unreachable', steps, applied.writes, [...errors, connectionError(e, 'confirm')]);
      }
      const failed = new Set(applied.errors.map((e) => `${e.menu}\u0000${e.key}`));
      for (const s of remaining) {
        if (failed.has(`${s.menu}\u0000${s.key}`)) continue;
        errors.push({ op: 'confirm', menu: s.menu, key: s.key, kind: 'drift', message: `still differs after apply (${s.op}: ${s.reason})` });
      }
    }
    return done(errors.length > 0 ? 'degraded' : 'ok', steps, applied.writes, errors);
  } finally {
    release?.();
  }
}
