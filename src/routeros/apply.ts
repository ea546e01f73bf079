// Applies a plan over one connection: removes (batched by comma-separated ids), sets, adds, then
// moves, with many commands in flight at once. A trap on one entry is recorded and the rest goes
// on; a connection-level failure stops the apply.
import type { RouterConnection } from './connection.js';
import { MENU_SPECS, type MenuPath } from './desired.js';
import { RouterError, toRouterError, type RouterErrorKind } from './errors.js';
import type { EntryRef, PlanStep } from './plan.js';

export interface ApplyOptions {
  /** Commands in flight at once on the connection. */
  inFlight?: number;
  /** `.id`s per remove command. */
  removeBatch?: number;
}

export interface StepError {
  op: PlanStep['op'];
  menu: MenuPath;
  key: string;
  id?: string;
  kind: RouterErrorKind;
  category?: number;
  message: string;
}

export interface ApplyResult {
  /** Write commands sent (a batched remove counts once). */
  writes: number;
  errors: StepError[];
  /** Identity key -> `.id` of what was added. */
  added: Map<string, string>;
  /** Set when the connection failed and the apply stopped part way. */
  aborted?: RouterError;
}

function stepError(step: PlanStep, err: RouterError): StepError {
  const e: StepError = { op: step.op, menu: step.menu, key: step.key, kind: err.kind, message: err.message };
  if ('id' in step) e.id = step.id;
  if (err.category !== undefined) e.category = err.category;
  return e;
}

/** Runs `fn` over items with at most `limit` running; stops at the first thrown error. */
async function pipeline<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: unknown;
  const worker = async () => {
    while (next < items.length && failure === undefined) {
      const item = items[next++] as T;
      try {
        await fn(item);
      } catch (e) {
        failure ??= e;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure !== undefined) throw failure;
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

const words = (fields: Record<string, string>) => Object.entries(fields).map(([k, v]) => `=${k}=${v}`);

export async function applyPlan(conn: RouterConnection, steps: readonly PlanStep[], opts: ApplyOptions = {}): Promise<ApplyResult> {
  const inFlight = opts.inFlight ?? 200;
  const result: ApplyResult = { writes: 0, errors: [], added: new Map() };

  /** Sends one write; traps become step errors, anything else aborts the apply. */
  const send = async (step: PlanStep, command: string[]): Promise<Record<string, string>[] | undefined> => {
    result.writes++;
    try {
      return await conn.request(command);
    } catch (e) {
      const err = toRouterError(e);
      if (err.kind !== 'trap') throw err;
      // removing what is already gone is what we wanted
      if (step.op !== 'remove' || !/no such item/.test(err.message)) result.errors.push(stepError(step, err));
      return undefined;
    }
  };

  const resolve = (r: EntryRef): string | undefined => ('id' in r ? r.id : result.added.get(r.added));

  try {
    // removes: comma-separated ids, one command per batch; a refused batch is retried one by one
    // so the entry at fault is named and the others still go
    const removes = steps.filter((s): s is Extract<PlanStep, { op: 'remove' }> => s.op === 'remove');
    const byMenu = new Map<MenuPath, (typeof removes)[number][]>();
    for (const s of removes) {
      const list = byMenu.get(s.menu);
      if (list) list.push(s);
      else byMenu.set(s.menu, [s]);
    }
    const batches = [...byMenu.values()].flatMap((list) => chunks(list, opts.removeBatch ?? 100));
    await pipeline(batches, inFlight, async (batch) => {
      const first = batch[0] as (typeof batch)[number];
      if (batch.length === 1) return void (await send(first, [`${first.menu}/remove`, `=.id=${first.id}`]));
      result.writes++;
      try {
        await conn.request([`${first.menu}/remove`, `=.id=${batch.map((s) => s.id).join(',')}`]);
      } catch (e) {
        if (toRouterError(e).kind !== 'trap') throw e;
        for (const s of batch) await send(s, [`${s.menu}/remove`, `=.id=${s.id}`]);
      }
    });

    await pipeline(
      steps.filter((s) => s.op === 'set'),
      inFlight,
      async (s) => {
        if (s.op !== 'set') return;
        if (Object.keys(s.set).length > 0) await send(s, [`${s.menu}/set`, `=.id=${s.id}`, ...words(s.set)]);
        for (const f of s.unset) await send(s, [`${s.menu}/unset`, `=numbers=${s.id}`, `=value-name=${f}`]);
      },
    );

    // adds to ordered menus go one at a time: their place depends on what went before
    const adds = steps.filter((s): s is Extract<PlanStep, { op: 'add' }> => s.op === 'add');
    const add = async (s: (typeof adds)[number]) => {
      const cmd = [`${s.menu}/add`, ...words(s.fields)];
      if (s.placeBefore !== undefined) cmd.push(`=place-before=${s.placeBefore}`);
      const rows = await send(s, cmd);
      const id = rows?.[0]?.ret;
      if (id) result.added.set(`${s.menu}\u0000${s.key}`, id);
    };
    await pipeline(
      adds.filter((s) => !MENU_SPECS[s.menu].ordered),
      inFlight,
      add,
    );
    for (const s of adds) if (MENU_SPECS[s.menu].ordered) await add(s);

    for (const s of steps) {
      if (s.op !== 'move') continue;
      const scoped = (r: EntryRef): EntryRef => ('added' in r ? { added: `${s.menu}\u0000${r.added}` } : r);
      const target = resolve(scoped(s.target));
      const before = s.before && resolve(scoped(s.before));
      if (target === undefined || (s.before && before === undefined)) {
        result.errors.push(stepError(s, new RouterError('trap', 'not moved: the rule it refers to was not added')));
        continue;
      }
      await send(s, [`${s.menu}/move`, `=numbers=${target}`, ...(before ? [`=destination=${before}`] : [])]);
    }
  } catch (e) {
    result.aborted = toRouterError(e);
  }
  return result;
}
