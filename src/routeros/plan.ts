// Diff desired against actual router state into the minimal list of writes. Pure.
// Only entries whose comment starts with `simpul:` are ever set, removed or moved.
import {
  InvalidDesiredStateError,
  isOwned,
  MENU_SPECS,
  normalizeEntry,
  normalizeValue,
  prepareDesired,
  type DesiredState,
  type Entry,
  type MenuPath,
  type OrderedMenu,
  type Placement,
  type WantedEntry,
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

/** `want` holds non-default values only (see WantedEntry); `have` is a whole normalised row. */
function sameFields(defaults: Readonly<Record<string, string>>, want: Record<string, string>, have: Record<string, string>): boolean {
  for (const f in defaults) if ((want[f] ?? defaults[f]) !== have[f]) return false;
  return true;
}

function diff(
  defaults: Readonly<Record<string, string>>,
  want: Record<string, string>,
  have: Record<string, string>,
): { set: Record<string, string>; unset: string[]; reasons: string[] } {
  const set: Record<string, string> = {};
  const unset: string[] = [];
  const reasons: string[] = [];
  for (const f in defaults) {
    const w = want[f] ?? defaults[f] ?? '';
    const h = have[f] ?? '';
    if (w === h) continue;
    reasons.push(`${f} is ${h === '' ? 'unset' : JSON.stringify(h)}, want ${w === '' ? 'unset' : JSON.stringify(w)}`);
    if (w === '') unset.push(f);
    else set[f] = w;
  }
  return { set, unset, reasons };
}

/** A desired entry in desired order, with the owned row it matched, if any. */
interface Wanted extends WantedEntry {
  row?: Entry;
}

/**
 * Computes the plan: removes, then sets, then adds, then moves. Throws InvalidDesiredStateError
 * before anything else when a desired value is malformed.
 */
export function plan(desired: DesiredState, actual: ActualState): PlanStep[] {
  const { issues, menus } = prepareDesired(desired);
  if (issues.length > 0) throw new InvalidDesiredStateError(issues);
  return byPhase(Array.from(menus, ([menu, wanted]) => planMenu(menu, wanted, actual[menu] ?? [], desired.placement)).flat());
}

const PHASE = { remove: 0, set: 1, add: 2, move: 3 } as const;

/** Steps in phase order, keeping their order within a phase (a stable bucket sort). */
function byPhase(steps: Iterable<PlanStep>): PlanStep[] {
  const phases: PlanStep[][] = [[], [], [], []];
  for (const s of steps) phases[PHASE[s.op]]?.push(s);
  return phases.flat();
}

/**
 * The plan for one menu, from its validated desired entries and the rows the router holds:
 * removes, then sets, then adds, then moves.
 */
export function planMenu(menu: MenuPath, entries: readonly WantedEntry[], rows: readonly Entry[], placement: DesiredState['placement'] = {}): PlanStep[] {
  const spec = MENU_SPECS[menu];
  const steps: PlanStep[] = [];
  const owned = new Map<string, { row: Entry; have: Record<string, string> }>();
  for (const row of rows) {
    if (!isOwned(row)) continue;
    const have = normalizeEntry(menu, row);
    const key = spec.key(have);
    const first = owned.get(key);
    if (first) steps.push({ op: 'remove', menu, id: row['.id'] ?? '', key, reason: `duplicate of ${first.row['.id']}` });
    else owned.set(key, { row, have });
  }
  const wanted: Wanted[] = [];
  for (const { key, want } of entries) {
    const match = owned.get(key);
    if (match) owned.delete(key);
    if (spec.ordered) wanted.push(match ? { key, want, row: match.row } : { key, want });
    if (!match) {
      if (!spec.ordered) steps.push({ op: 'add', menu, key, fields: want, reason: 'missing' });
      continue;
    }
    if (sameFields(spec.fields, want, match.have)) continue;
    const d = diff(spec.fields, want, match.have);
    steps.push({ op: 'set', menu, id: match.row['.id'] ?? '', key, set: d.set, unset: d.unset, reason: d.reasons.join('; ') });
  }
  for (const [key, { row }] of owned) steps.push({ op: 'remove', menu, id: row['.id'] ?? '', key, reason: 'not in desired state' });
  if (spec.ordered) for (const s of placeOrdered(menu as OrderedMenu, rows, wanted, placement[menu as OrderedMenu] ?? { at: 'top' })) steps.push(s);
  return byPhase(steps);
}

type Slot =
  | { kind: 'unmanaged'; id: string; row: Entry }
  | { kind: 'existing'; id: string; key: string }
  | { kind: 'new'; key: string; want: Record<string, string> };

const slotId = (s: Slot) => (s.kind === 'new' ? `new\u0000${s.key}` : s.id);
const ref = (s: Slot): EntryRef => (s.kind === 'new' ? { added: s.key } : { id: s.id });

function matches(menu: MenuPath, row: Entry, match: Record<string, string>): boolean {
  return Object.entries(match).every(([f, v]) => normalizeValue(menu, f, row[f] || MENU_SPECS[menu].fields[f] || '') === normalizeValue(menu, f, v));
}

/**
 * Indices of a maximum-weight strictly increasing subsequence of `seq` (weights positive). Among
 * equally heavy choices it takes the earliest predecessor and the earliest end, as the textbook
 * quadratic method does, so plans do not change with the method; a Fenwick tree of prefix maxima
 * over the ranks of the values makes it O(n log n).
 */
export function heaviestIncreasing(seq: readonly number[], weight: readonly number[]): Set<number> {
  const ranks = new Map([...new Set(seq)].sort((a, b) => a - b).map((v, i) => [v, i + 1]));
  // per tree node: the heaviest subsequence ending at a value in its range, and where it ends
  const treeBest = new Float64Array(ranks.size + 1);
  const treeAt = new Int32Array(ranks.size + 1).fill(-1);
  const best = new Float64Array(seq.length);
  const prev = new Int32Array(seq.length);
  let top = -1;
  for (let i = 0; i < seq.length; i++) {
    const r = ranks.get(seq[i] as number) as number;
    let b = 0;
    let at = -1;
    for (let k = r - 1; k > 0; k -= k & -k) {
      const t = treeAt[k] as number;
      if (t >= 0 && (at < 0 || (treeBest[k] as number) > b || ((treeBest[k] as number) === b && t < at))) {
        b = treeBest[k] as number;
        at = t;
      }
    }
    best[i] = b + (weight[i] ?? 0);
    prev[i] = at;
    // indices only grow, so on a tie the earlier end already in the tree stays
    for (let k = r; k <= ranks.size; k += k & -k) {
      if ((treeAt[k] as number) < 0 || (best[i] as number) > (treeBest[k] as number)) {
        treeBest[k] = best[i] as number;
        treeAt[k] = i;
      }
    }
    if (top < 0 || (best[i] as number) > (best[top] as number)) top = i;
  }
  const keep = new Set<number>();
  for (let i = top; i >= 0; i = prev[i] as number) keep.add(i);
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
    const block: Slot[] = wanted
      .filter((w) => w.want.chain === chain)
      .map((w) => (w.row ? { kind: 'existing', id: w.row['.id'] ?? '', key: w.key } : { kind: 'new', key: w.key, want: w.want }));
    let anchor = placement.at === 'top' ? 0 : unmanaged.length;
    if (placement.at === 'before') {
      const i = unmanaged.findIndex((u) => matches(menu, u.row, placement.match));
      if (i >= 0) anchor = i;
    }
    const target: Slot[] = [...unmanaged.slice(0, anchor), ...block, ...unmanaged.slice(anchor)];

    // adds, each before the first existing rule after it in the target order
    const nextExisting: (string | undefined)[] = [];
    for (let i = target.length - 1, next: string | undefined; i >= 0; i--) {
      const s = target[i] as Slot;
      nextExisting[i] = next;
      if (s.kind !== 'new') next = s.id;
    }
    const addedBefore = new Map<string | undefined, Slot[]>();
    target.forEach((s, i) => {
      if (s.kind !== 'new') return;
      const next = nextExisting[i];
      const fields = s.want;
      steps.push(
        next === undefined
          ? { op: 'add', menu, key: s.key, fields, reason: `missing from chain ${chain}` }
          : { op: 'add', menu, key: s.key, fields, placeBefore: next, reason: `missing from chain ${chain}` },
      );
      const group = addedBefore.get(next);
      if (group) group.push(s);
      else addedBefore.set(next, [s]);
    });
    // the chain as it will be once they are added
    const after: Slot[] = [];
    for (const s of current) {
      if (s.kind !== 'new') for (const a of addedBefore.get(s.id) ?? []) after.push(a);
      after.push(s);
    }
    for (const a of addedBefore.get(undefined) ?? []) after.push(a);

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
      steps.push(
        next
          ? { op: 'move', menu, key, target: ref(s), before: ref(next), reason: `out of order in chain ${chain}` }
          : { op: 'move', menu, key, target: ref(s), reason: `out of order in chain ${chain}` },
      );
    }
  }
  return steps;
}
