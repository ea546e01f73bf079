// Diff desired against actual router state into the minimal list of writes. Pure.
// Only entries whose comment starts with `simpul:` are ever set, removed or moved.
import {
  InvalidDesiredStateError,
  isOwned,
  MENU_SPECS,
  normalizeEntry,
  normalizeValue,
  validateDesired,
  type DesiredState,
  type Entry,
  type MenuPath,
  type OrderedMenu,
  type Placement,
} from './desired.js';

/** Rows as `print` returns them, in router order, each with its `.id`. */
export type ActualState = Partial<Record<MenuPath, readonly Entry[]>>;

/** An existing entry, or one this plan adds (named by its identity key). */
export type EntryRef = { id: string } | { added: string };

export type PlanStep =
  | { op: 'remove'; menu: MenuPath; id: string; key: string; reason: string }
  | { op: 'set'; menu: MenuPath; id: string; key: string; set: Record<string, string>; unset: string[]; reason: string }
  | { op: 'add'; menu: MenuPath; key: string; fields: Record<string, string>; placeBefore?: string; reason: string }
  /** Move `target` just before `before`, or to the end of the list when `before` is absent. */
  | { op: 'move'; menu: MenuPath; key: string; target: EntryRef; before?: EntryRef; reason: string };

const PHASE = { remove: 0, set: 1, add: 2, move: 3 } as const;

/** The fields to send for an add: non-default values only, so the router keeps its defaults. */
function addFields(menu: MenuPath, want: Record<string, string>): Record<string, string> {
  const defaults = MENU_SPECS[menu].fields;
  const out: Record<string, string> = {};
  for (const [f, v] of Object.entries(want)) if (v !== '' && (v !== defaults[f] || MENU_SPECS[menu].required.includes(f))) out[f] = v;
  return out;
}

function diff(menu: MenuPath, want: Record<string, string>, have: Record<string, string>): { set: Record<string, string>; unset: string[]; reasons: string[] } {
  const set: Record<string, string> = {};
  const unset: string[] = [];
  const reasons: string[] = [];
  for (const f of Object.keys(MENU_SPECS[menu].fields)) {
    const w = want[f] ?? '';
    const h = have[f] ?? '';
    if (w === h) continue;
    reasons.push(`${f} is ${h === '' ? 'unset' : JSON.stringify(h)}, want ${w === '' ? 'unset' : JSON.stringify(w)}`);
    if (w === '') unset.push(f);
    else set[f] = w;
  }
  return { set, unset, reasons };
}

/** A desired entry in desired order, with the owned row it matched, if any. */
interface Wanted {
  key: string;
  want: Record<string, string>;
  row?: Entry;
}

/**
 * Computes the plan: removes, then sets, then adds, then moves. Throws InvalidDesiredStateError
 * before anything else when a desired value is malformed.
 */
export function plan(desired: DesiredState, actual: ActualState): PlanStep[] {
  const issues = validateDesired(desired);
  if (issues.length > 0) throw new InvalidDesiredStateError(issues);
  const steps: PlanStep[] = [];
  for (const [menu, entries] of Object.entries(desired.menus) as [MenuPath, readonly Entry[]][]) {
    const spec = MENU_SPECS[menu];
    const rows = actual[menu] ?? [];
    const owned = new Map<string, Entry>();
    for (const row of rows) {
      if (!isOwned(row)) continue;
      const key = spec.key(normalizeEntry(menu, row));
      const first = owned.get(key);
      if (first) steps.push({ op: 'remove', menu, id: row['.id'] ?? '', key, reason: `duplicate of ${first['.id']}` });
      else owned.set(key, row);
    }
    const wanted: Wanted[] = [];
    for (const e of entries) {
      const want = normalizeEntry(menu, e);
      const key = spec.key(want);
      const row = owned.get(key);
      owned.delete(key);
      wanted.push(row ? { key, want, row } : { key, want });
      if (!row) continue;
      const d = diff(menu, want, normalizeEntry(menu, row));
      if (d.reasons.length > 0) steps.push({ op: 'set', menu, id: row['.id'] ?? '', key, set: d.set, unset: d.unset, reason: d.reasons.join('; ') });
    }
    for (const [key, row] of owned) steps.push({ op: 'remove', menu, id: row['.id'] ?? '', key, reason: 'not in desired state' });
    if (spec.ordered) {
      steps.push(...placeOrdered(menu as OrderedMenu, rows, wanted, desired.placement?.[menu as OrderedMenu] ?? { at: 'top' }));
    } else {
      for (const w of wanted) if (!w.row) steps.push({ op: 'add', menu, key: w.key, fields: addFields(menu, w.want), reason: 'missing' });
    }
  }
  return steps.sort((a, b) => PHASE[a.op] - PHASE[b.op]);
}

type Slot = { kind: 'unmanaged'; id: string; row: Entry } | { kind: 'existing'; id: string; key: string } | { kind: 'new'; key: string };

const slotId = (s: Slot) => (s.kind === 'new' ? `new\u0000${s.key}` : s.id);
const ref = (s: Slot): EntryRef => (s.kind === 'new' ? { added: s.key } : { id: s.id });

function matches(menu: MenuPath, row: Entry, match: Record<string, string>): boolean {
  return Object.entries(match).every(([f, v]) => normalizeValue(menu, f, row[f] || MENU_SPECS[menu].fields[f] || '') === normalizeValue(menu, f, v));
}

/** Indices of a maximum-weight strictly increasing subsequence of `seq`. O(n^2); chains are short. */
function heaviestIncreasing(seq: number[], weight: number[]): Set<number> {
  const best: number[] = [];
  const prev: number[] = [];
  let top = -1;
  for (let i = 0; i < seq.length; i++) {
    best[i] = weight[i] ?? 0;
    prev[i] = -1;
    for (let j = 0; j < i; j++) {
      if ((seq[j] ?? 0) < (seq[i] ?? 0) && (best[j] ?? 0) + (weight[i] ?? 0) > (best[i] ?? 0)) {
        best[i] = (best[j] ?? 0) + (weight[i] ?? 0);
        prev[i] = j;
      }
    }
    if (top < 0 || (best[i] ?? 0) > (best[top] ?? 0)) top = i;
  }
  const keep = new Set<number>();
  for (let i = top; i >= 0; i = prev[i] ?? -1) keep.add(i);
  return keep;
}

/**
 * Ordered menus (filter, nat). Per chain, the target order is the unmanaged rules in their current
 * order with Simpul's rules inserted as one block at the configured place. New rules are added
 * before the first existing rule that follows them in that order; then the fewest moves that keep
 * every unmanaged rule where it is (a maximum-weight increasing subsequence) fix the rest.
 * Dynamic rules are left out: RouterOS manages their place.
 */
function placeOrdered(menu: OrderedMenu, rows: readonly Entry[], wanted: Wanted[], placement: Placement): PlanStep[] {
  const steps: PlanStep[] = [];
  const byRow = new Map<string, Wanted>();
  for (const w of wanted) if (w.row) byRow.set(w.row['.id'] ?? '', w);
  const chains = [...new Set(wanted.map((w) => w.want.chain ?? ''))];
  for (const chain of chains) {
    const current: Slot[] = [];
    for (const row of rows) {
      const id = row['.id'] ?? '';
      const w = byRow.get(id);
      if (w) {
        if (w.want.chain === chain) current.push({ kind: 'existing', id, key: w.key });
      } else if (!isOwned(row) && row.dynamic !== 'true' && (row.chain ?? '') === chain) {
        current.push({ kind: 'unmanaged', id, row });
      }
    }
    const unmanaged = current.filter((s): s is Extract<Slot, { kind: 'unmanaged' }> => s.kind === 'unmanaged');
    const block: Slot[] = wanted.filter((w) => w.want.chain === chain).map((w) => (w.row ? { kind: 'existing', id: w.row['.id'] ?? '', key: w.key } : { kind: 'new', key: w.key }));
    let anchor = placement.at === 'top' ? 0 : unmanaged.length;
    if (placement.at === 'before') {
      const i = unmanaged.findIndex((u) => matches(menu, u.row, placement.match));
      if (i >= 0) anchor = i;
    }
    const target: Slot[] = [...unmanaged.slice(0, anchor), ...block, ...unmanaged.slice(anchor)];

    // adds, each before the first existing rule after it in the target order; simulate the result
    const after = [...current];
    target.forEach((s, i) => {
      if (s.kind !== 'new') return;
      const next = target.slice(i + 1).find((t) => t.kind !== 'new');
      const w = wanted.find((x) => x.key === s.key);
      const fields = addFields(menu, w?.want ?? {});
      if (next) {
        steps.push({ op: 'add', menu, key: s.key, fields, placeBefore: next.id, reason: `missing from chain ${chain}` });
        after.splice(after.findIndex((a) => slotId(a) === next.id), 0, s);
      } else {
        steps.push({ op: 'add', menu, key: s.key, fields, reason: `missing from chain ${chain}` });
        after.push(s);
      }
    });

    // moves: keep the heaviest in-order subsequence (unmanaged rules weigh more than all others)
    const position = new Map(target.map((s, i) => [slotId(s), i]));
    const keep = heaviestIncreasing(
      after.map((s) => position.get(slotId(s)) ?? -1),
      after.map((s) => (s.kind === 'unmanaged' ? after.length + 1 : 1)),
    );
    const kept = new Set([...keep].map((i) => slotId(after[i] as Slot)));
    for (let i = target.length - 1; i >= 0; i--) {
      const s = target[i] as Slot;
      if (kept.has(slotId(s)) || s.kind === 'unmanaged') continue;
      const next = target[i + 1];
      const key = s.key;
      steps.push(next ? { op: 'move', menu, key, target: ref(s), before: ref(next), reason: `out of order in chain ${chain}` } : { op: 'move', menu, key, target: ref(s), reason: `out of order in chain ${chain}` });
    }
  }
  return steps;
}
