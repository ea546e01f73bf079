// What the HTTP API and the CLI ask of the routers: status, a plan read from the router now, and
// an operator's apply, each apply in the audit log with its plan.
import type { Store } from '../store/store.js';
import { canSeeOpd, requirePermission, type Actor } from '../auth/actor.js';
import { AppError, notFound } from '../common/errors.js';
import { type Reconciler, RouterUnavailable, type RouterStatus } from './reconciler.js';
import type { PlanStep, EntryRef } from './plan.js';
import type { SyncError, SyncResult } from './sync.js';

/** A plan step as the API shows it: identity keys readable, references as strings. */
export interface StepOut {
  op: string;
  menu: string;
  key: string;
  reason: string;
  id?: string;
  fields?: Record<string, string>;
  set?: Record<string, string>;
  unset?: string[];
  placeBefore?: string;
  target?: string;
  before?: string;
}

/** A router's adlist URL carries its capability secret: plans, errors and the audit log show it masked. */
export const redactSecrets = (text: string): string => text.replace(/(\/adlist\/[^/\s]+\/)[^/\s.]+\.txt/g, '$1[secret].txt');
const redactFields = (f: Record<string, string>): Record<string, string> => (f.url ? { ...f, url: redactSecrets(f.url) } : f);

const refText = (r: EntryRef) => redactSecrets('id' in r ? r.id : `new ${r.added.replaceAll('\u0000', ' ')}`);

export function stepOut(s: PlanStep): StepOut {
  const o: StepOut = { op: s.op, menu: s.menu, key: redactSecrets(s.key.replaceAll('\u0000', ' ')), reason: redactSecrets(s.reason) };
  if (s.op === 'remove') o.id = s.id;
  if (s.op === 'set') Object.assign(o, { id: s.id, set: redactFields(s.set), unset: s.unset });
  if (s.op === 'add') {
    o.fields = redactFields(s.fields);
    if (s.placeBefore) o.placeBefore = s.placeBefore;
  }
  if (s.op === 'move') {
    o.target = refText(s.target);
    if (s.before) o.before = refText(s.before);
  }
  return o;
}

export const errorOut = (e: SyncError) => ({
  ...e,
  key: e.key === undefined ? undefined : redactSecrets(e.key.replaceAll('\u0000', ' ')),
  message: redactSecrets(e.message),
});

/** Plans in the audit log: whole when small, else the first steps and counts per operation. */
const AUDIT_STEPS = 100;
export function auditPlan(steps: PlanStep[]): { steps: StepOut[]; total: number; byOp: Record<string, number>; truncated: boolean } {
  const byOp: Record<string, number> = {};
  for (const s of steps) byOp[s.op] = (byOp[s.op] ?? 0) + 1;
  return { steps: steps.slice(0, AUDIT_STEPS).map(stepOut), total: steps.length, byOp, truncated: steps.length > AUDIT_STEPS };
}

export function routerProblem(e: RouterUnavailable): AppError {
  const extra = { router: e.routerId, kind: e.kind };
  if (e.kind === 'refused') return new AppError(409, 'ROUTER_DESIRED_REFUSED', `${e.routerId}: nothing was pushed: ${e.message}`, undefined, extra);
  if (e.kind === 'no-endpoint') return new AppError(503, 'ROUTER_NO_ENDPOINT', `${e.routerId}: ${e.message}`, undefined, extra);
  const status = e.kind === 'unreachable' || e.kind === 'timeout' ? 503 : 502;
  return new AppError(status, `ROUTER_${e.kind.toUpperCase()}`, `${e.routerId}: ${e.message}`, undefined, extra);
}

/**
 * How an apply that did not run ends, for the results and the audit log: refused (nothing sent),
 * unreachable (the router could not be reached, or has no endpoint; the kind says which), or
 * failed (anything else).
 */
const failedResult = (e: RouterUnavailable | null): 'refused' | 'unreachable' | 'failed' => (!e ? 'failed' : e.kind === 'refused' ? 'refused' : 'unreachable');

export interface ApplyOut {
  router: string;
  result: SyncResult['result'] | 'refused' | 'failed';
  writes: number;
  steps: StepOut[];
  errors: ReturnType<typeof errorOut>[];
  state: string;
  reason: string | null;
  durationMs: number;
}

export class RouterService {
  constructor(
    private readonly store: Store,
    private readonly reconciler: Reconciler,
  ) {}

  list(actor: Actor): RouterStatus[] {
    return this.reconciler.list().filter((r) => canSeeOpd(actor, r.opd));
  }

  get(actor: Actor, id: string): RouterStatus {
    const r = this.reconciler.status(id);
    if (!r || !canSeeOpd(actor, r.opd)) throw notFound('router', id);
    return r;
  }

  async plan(actor: Actor, id: string): Promise<{ router: string; state: string; steps: StepOut[]; notes: string[]; dns: RouterStatus['dns'] }> {
    this.get(actor, id);
    try {
      const p = await this.reconciler.plan(id);
      return { router: id, state: p.status.state, steps: p.steps.map(stepOut), notes: p.status.notes, dns: p.status.dns };
    } catch (e) {
      if (e instanceof RouterUnavailable) throw routerProblem(e);
      throw e;
    }
  }

  async apply(actor: Actor, id: string): Promise<ApplyOut> {
    const status = this.get(actor, id);
    requirePermission(actor, 'operate');
    try {
      const { result } = await this.reconciler.apply(id);
      this.audit(actor, status, result, null);
      return this.applyOut(status, result);
    } catch (e) {
      if (!(e instanceof RouterUnavailable)) throw e;
      this.audit(actor, status, null, e);
      throw routerProblem(e);
    }
  }

  /** Applies every visible router (the reconciler's cap bounds the parallelism); never throws for one router. */
  async applyAll(actor: Actor): Promise<ApplyOut[]> {
    requirePermission(actor, 'operate');
    return Promise.all(
      this.list(actor).map(async (status) => {
        const started = performance.now();
        try {
          const { result } = await this.reconciler.apply(status.id);
          this.audit(actor, status, result, null);
          return this.applyOut(status, result);
        } catch (e) {
          const known = e instanceof RouterUnavailable ? e : null;
          this.audit(actor, status, null, known, known ? null : (e as Error).message);
          return {
            router: status.id,
            result: failedResult(known),
            writes: 0,
            steps: [],
            // the failed sync's own errors and time when one ran (as for ok results), else the time this call took
            errors: known?.result?.errors.map(errorOut) ?? [],
            state: status.state,
            reason: known ? `${known.kind}: ${known.message}` : (e as Error).message,
            durationMs: known?.result?.durationMs ?? Math.round(performance.now() - started),
          } satisfies ApplyOut;
        }
      }),
    );
  }

  /** A background apply that wrote something: audited as the daemon. */
  auditBackground(status: RouterStatus, result: SyncResult): void {
    this.audit({ id: 'system:routeros', role: 'system', opd: null }, status, result, null);
  }

  private applyOut(status: RouterStatus, r: SyncResult): ApplyOut {
    return {
      router: status.id,
      result: r.result,
      writes: r.writes,
      steps: r.plan.map(stepOut),
      errors: r.errors.map(errorOut),
      state: status.state,
      reason: status.reason,
      durationMs: r.durationMs,
    };
  }

  private audit(actor: Actor, status: RouterStatus, r: SyncResult | null, failed: RouterUnavailable | null, error: string | null = null): void {
    const after = r
      ? { result: r.result, writes: r.writes, plan: auditPlan(r.plan), errors: r.errors.slice(0, 20).map(errorOut) }
      : { result: failedResult(failed), kind: failed?.kind, error: failed?.message ?? error };
    this.store.write(actor, (tx) => tx.audit({ action: 'routeros.apply', objectType: 'router', objectId: status.id, opd: status.opd, after }));
  }
}
