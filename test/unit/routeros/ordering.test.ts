// The ordering of rules in ordered menus at scale: the O(n log n) heaviest increasing subsequence
// against the quadratic method it replaced, and a plan over thousands of rules that converges.
import { describe, expect, it } from 'vitest';
import { RouterState, type Rec } from '../../../src/lab/routeros/state.js';
import { MENU_SPECS, type DesiredState, type Entry } from '../../../src/routeros/desired.js';
import { heaviestIncreasing, plan, type EntryRef, type PlanStep } from '../../../src/routeros/plan.js';

/** The planner's former O(n^2) method, kept as the reference. */
function quadratic(seq: number[], weight: number[]): Set<number> {
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

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const sorted = (s: Set<number>) => [...s].sort((a, b) => a - b);

describe('heaviest increasing subsequence', () => {
  it('keeps exactly what the quadratic method kept, ties included', () => {
    for (let seed = 1; seed <= 1500; seed++) {
      const r = rng(seed);
      const n = Math.floor(r() * 40);
      // the planner's inputs (a permutation of target positions, unmanaged rules heavier than all
      // others), plus repeated values, -1 and small weights where ties abound
      const kind = seed % 3;
      const seq = kind === 0 ? permutation(n, r) : Array.from({ length: n }, () => Math.floor(r() * 8) - 1);
      const weight = Array.from({ length: n }, () => (kind === 0 ? (r() < 0.3 ? n + 1 : 1) : 1 + Math.floor(r() * 3)));
      expect(sorted(heaviestIncreasing(seq, weight)), `seed ${seed}: ${JSON.stringify({ seq, weight })}`).toEqual(sorted(quadratic(seq, weight)));
    }
  });

  it('agrees on a long sequence too', () => {
    const r = rng(7);
    const seq = permutation(3000, r);
    const weight = seq.map(() => (r() < 0.05 ? 3001 : 1));
    expect(sorted(heaviestIncreasing(seq, weight))).toEqual(sorted(quadratic(seq, weight)));
  });
});

function permutation(n: number, r: () => number): number[] {
  const p = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [p[i], p[j]] = [p[j] as number, p[i] as number];
  }
  return p;
}

describe('a chain of thousands of rules', () => {
  const FILTER = '/ip/firewall/filter';

  it('converges in one apply: missing rules added in place, the rest moved, unmanaged rules untouched', () => {
    const r = rng(42);
    const rules: Entry[] = Array.from({ length: 2000 }, (_, i) => ({
      chain: 'forward',
      action: 'drop',
      'dst-port': String(1000 + i),
      protocol: 'tcp',
      comment: `simpul:rule${i}`,
    }));
    const state = new RouterState();
    // the router holds most rules, shuffled among unmanaged ones; some are missing
    const held = permutation(rules.length, r).filter(() => r() < 0.9);
    held.forEach((i, n) => {
      if (n % 50 === 0) state.insert(FILTER, { chain: 'forward', action: n % 100 === 0 ? 'accept' : 'drop', comment: `hand${n}` });
      state.insert(FILTER, rules[i] as Rec);
    });
    const hand = state.list(FILTER).filter((x) => !x.comment?.startsWith('simpul:'));
    const d: DesiredState = { menus: { [FILTER]: rules }, placement: { [FILTER]: { at: 'before', match: { action: 'drop' } } } };

    const steps = plan(d, read(state));
    expect(steps.filter((s) => s.op === 'add')).toHaveLength(rules.length - held.length);
    applyTo(state, steps);
    expect(plan(d, read(state))).toEqual([]);
    const after = state.list(FILTER).map((x) => x.comment ?? '');
    const anchor = hand.findIndex((x) => x.action === 'drop');
    expect(after).toEqual([...hand.slice(0, anchor).map((x) => x.comment), ...rules.map((x) => x.comment), ...hand.slice(anchor).map((x) => x.comment)]);
  });

  function read(state: RouterState) {
    const props = ['.id', 'dynamic', ...Object.keys(MENU_SPECS[FILTER].fields)];
    return { [FILTER]: state.list(FILTER).map((x) => Object.fromEntries(props.filter((p) => x[p] !== undefined).map((p) => [p, x[p] as string]))) };
  }

  function applyTo(state: RouterState, steps: PlanStep[]): void {
    const added = new Map<string, string>();
    const run = (cmd: string, attrs: Rec) => {
      const res = state.execute(cmd, attrs, []);
      const trap = res.replies.find((x) => x.type === '!trap');
      if (trap) throw new Error(`${cmd} ${JSON.stringify(attrs)}: ${trap.attrs.message}`);
      return res.replies[0]?.attrs.ret;
    };
    const id = (ref: EntryRef) => ('id' in ref ? ref.id : (added.get(ref.added) ?? 'missing'));
    for (const s of steps) {
      if (s.op === 'remove') run(`${s.menu}/remove`, { '.id': s.id });
      if (s.op === 'set') run(`${s.menu}/set`, { '.id': s.id, ...s.set });
      if (s.op === 'add') added.set(s.key, run(`${s.menu}/add`, s.placeBefore ? { ...s.fields, 'place-before': s.placeBefore } : s.fields) ?? '');
      if (s.op === 'move') run(`${s.menu}/move`, s.before ? { numbers: id(s.target), destination: id(s.before) } : { numbers: id(s.target) });
    }
  }
});
