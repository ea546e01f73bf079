import { describe, expect, it } from 'vitest';
import { RouterState, type Rec } from '../../../src/lab/routeros/state.js';
import { MENU_SPECS, type DesiredState, type Entry, type MenuPath, type Placement } from '../../../src/routeros/desired.js';
import { plan, type ActualState, type EntryRef, type PlanStep } from '../../../src/routeros/plan.js';

const FILTER = '/ip/firewall/filter';
const AL = '/ip/firewall/address-list';

/** Reads what sync reads: the managed fields of each desired menu. */
function read(state: RouterState, d: DesiredState): ActualState {
  const out: ActualState = {};
  for (const menu of Object.keys(d.menus) as MenuPath[]) {
    const props = ['.id', 'dynamic', ...Object.keys(MENU_SPECS[menu].fields)];
    out[menu] = state.list(menu).map((r) => Object.fromEntries(props.filter((p) => r[p] !== undefined).map((p) => [p, r[p] as string])));
  }
  return out;
}

/** Applies a plan to the simulator state the way apply.ts does over the API; fails on any trap. */
function applyTo(state: RouterState, steps: PlanStep[]): void {
  const added = new Map<string, string>();
  const run = (cmd: string, attrs: Rec) => {
    const r = state.execute(cmd, attrs, []);
    const trap = r.replies.find((x) => x.type === '!trap');
    if (trap) throw new Error(`${cmd} ${JSON.stringify(attrs)}: ${trap.attrs.message}`);
    return r.replies[0]?.attrs.ret;
  };
  const id = (r: EntryRef) => ('id' in r ? r.id : (added.get(r.added) ?? 'missing'));
  for (const s of steps) {
    if (s.op === 'remove') run(`${s.menu}/remove`, { '.id': s.id });
    if (s.op === 'set') {
      if (Object.keys(s.set).length) run(`${s.menu}/set`, { '.id': s.id, ...s.set });
      for (const f of s.unset) run(`${s.menu}/unset`, { numbers: s.id, 'value-name': f });
    }
    if (s.op === 'add') added.set(s.key, run(`${s.menu}/add`, s.placeBefore ? { ...s.fields, 'place-before': s.placeBefore } : s.fields) ?? '');
    if (s.op === 'move') run(`${s.menu}/move`, s.before ? { numbers: id(s.target), destination: id(s.before) } : { numbers: id(s.target) });
  }
}

describe('unordered menus', () => {
  it('adds, sets, removes owned entries and never touches the others', () => {
    const state = new RouterState();
    state.insert(AL, { list: 'x', address: '10.0.0.1', comment: 'by hand' });
    state.insert(AL, { list: 'x', address: '10.0.0.2', comment: 'simpul:old' });
    state.insert(AL, { list: 'x', address: '10.0.0.3', comment: 'simpul:a', disabled: 'true' });
    state.insert(AL, { list: 'y', address: 'keep.example' });
    const d: DesiredState = {
      menus: {
        [AL]: [
          { list: 'x', address: '10.0.0.3/32', comment: 'simpul:a' },
          { list: 'x', address: '10.0.0.1', comment: 'simpul:a' },
        ],
      },
    };
    const steps = plan(d, read(state, d));
    expect(steps.map((s) => [s.op, s.key, s.reason])).toEqual([
      ['remove', 'x\u000010.0.0.2', 'not in desired state'],
      ['set', 'x\u000010.0.0.3', 'disabled is "true", want "false"'],
      ['add', 'x\u000010.0.0.1', 'missing'],
    ]);
    expect(steps[2]).toMatchObject({ fields: { list: 'x', address: '10.0.0.1', comment: 'simpul:a' } });
    const s = steps[1];
    expect(s?.op === 'set' && s.set).toEqual({ disabled: 'false' });
    // the unmanaged 10.0.0.1 blocks the add: the router will refuse it as a duplicate
    expect(() => applyTo(state, steps)).toThrow(/already have such entry/);
  });

  it('unsets fields no longer wanted and removes owned duplicates', () => {
    const state = new RouterState();
    state.insert('/ip/route', { 'dst-address': '10.5.0.0/16', gateway: '10.0.0.9', 'pref-src': '10.0.0.1', distance: '5', comment: 'simpul:r' });
    state.insert('/ip/route', { 'dst-address': '10.5.0.0/16', gateway: '10.0.0.9', comment: 'simpul:r' });
    const d: DesiredState = { menus: { '/ip/route': [{ 'dst-address': '10.5.0.0/16', gateway: '10.0.0.9', comment: 'simpul:r' }] } };
    const steps = plan(d, read(state, d));
    expect(steps.map((s) => s.op)).toEqual(['remove', 'set']);
    expect(steps[1]).toMatchObject({ set: { distance: '1' }, unset: ['pref-src'] });
    applyTo(state, steps);
    expect(plan(d, read(state, d))).toEqual([]);
    expect(state.list('/ip/route')).toHaveLength(1);
  });

  it('treats a dynamic entry as not owned', () => {
    const actual: ActualState = { [AL]: [{ '.id': '*9', list: 'x', address: '10.0.0.1', comment: 'simpul:a', dynamic: 'true' }] };
    expect(plan({ menus: { [AL]: [] } }, actual)).toEqual([]);
  });
});

// ---- ordered menus: a seeded property test ------------------------------------------------------

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const ACTIONS = ['accept', 'drop', 'reject'];

function scenario(seed: number): { state: RouterState; d: DesiredState; placement: Placement } {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
  const state = new RouterState();
  const chains = ['forward', 'input', 'output'];
  const desiredRules: Entry[] = [];
  const nDesired = Math.floor(r() * 7);
  for (let i = 0; i < nDesired; i++)
    desiredRules.push({ chain: pick(chains), action: pick(ACTIONS), 'dst-port': String(1000 + i), protocol: 'tcp', comment: `simpul:rule${i}` });
  const nRows = Math.floor(r() * 12);
  for (let i = 0; i < nRows; i++) {
    const kind = r();
    if (kind < 0.45) state.insert(FILTER, { chain: pick(chains), action: pick(ACTIONS), comment: `hand${i}` });
    else if (kind < 0.55) state.insert(FILTER, { chain: pick(chains), action: 'accept', comment: `simpul:stale${i}` });
    else if (desiredRules.length > 0) {
      const want = pick(desiredRules);
      // an owned rule, possibly in the wrong chain or with a wrong field
      state.insert(FILTER, { ...want, chain: r() < 0.2 ? pick(chains) : (want.chain ?? ''), action: r() < 0.2 ? pick(ACTIONS) : (want.action ?? '') });
    }
  }
  const placements: Placement[] = [{ at: 'top' }, { at: 'bottom' }, { at: 'before', match: { action: 'drop' } }];
  const placement = pick(placements);
  return { state, d: { menus: { [FILTER]: desiredRules }, placement: { [FILTER]: placement } }, placement };
}

describe('ordered menus', () => {
  it('places rules at the top, at the bottom or before the first matching unmanaged rule', () => {
    const state = new RouterState();
    state.insert(FILTER, { chain: 'forward', action: 'accept', comment: 'h1' });
    state.insert(FILTER, { chain: 'input', action: 'drop', comment: 'other chain' });
    state.insert(FILTER, { chain: 'forward', action: 'drop', comment: 'h2' });
    const rules: Entry[] = [
      { chain: 'forward', action: 'drop', 'src-address-list': 'bad', comment: 'simpul:a' },
      { chain: 'forward', action: 'drop', 'dst-address-list': 'bad', comment: 'simpul:b' },
    ];
    const order = (p: Placement) => {
      const s = new RouterState();
      for (const r of state.list(FILTER)) s.insert(FILTER, { chain: r.chain ?? '', action: r.action ?? '', comment: r.comment ?? '' });
      const d: DesiredState = { menus: { [FILTER]: rules }, placement: { [FILTER]: p } };
      applyTo(s, plan(d, read(s, d)));
      return s.list(FILTER).map((r) => r.comment);
    };
    expect(order({ at: 'top' })).toEqual(['simpul:a', 'simpul:b', 'h1', 'other chain', 'h2']);
    expect(order({ at: 'bottom' })).toEqual(['h1', 'other chain', 'h2', 'simpul:a', 'simpul:b']);
    expect(order({ at: 'before', match: { action: 'drop' } })).toEqual(['h1', 'other chain', 'simpul:a', 'simpul:b', 'h2']);
  });

  it('converges in one apply, keeps unmanaged rules as they were, and orders each chain as configured', () => {
    for (let seed = 1; seed <= 400; seed++) {
      const { state, d, placement } = scenario(seed);
      const handBefore = state.list(FILTER).filter((x) => !x.comment?.startsWith('simpul:'));
      const steps = plan(d, read(state, d));
      applyTo(state, steps);
      expect(plan(d, read(state, d)), `seed ${seed}`).toEqual([]);
      const after = state.list(FILTER);
      expect(
        after.filter((x) => !x.comment?.startsWith('simpul:')),
        `seed ${seed}`,
      ).toEqual(handBefore);
      const rules = d.menus[FILTER] ?? [];
      for (const chain of new Set(rules.map((x) => x.chain))) {
        const seq = after.filter((x) => x.chain === chain).map((x) => x.comment ?? '');
        const hand = seq.filter((c) => !c.startsWith('simpul:'));
        let anchor = placement.at === 'top' ? 0 : hand.length;
        if (placement.at === 'before') {
          const i = after.filter((x) => x.chain === chain && !x.comment?.startsWith('simpul:')).findIndex((x) => x.action === 'drop');
          if (i >= 0) anchor = i;
        }
        const block = rules.filter((x) => x.chain === chain).map((x) => x.comment ?? '');
        expect(seq, `seed ${seed} chain ${chain}`).toEqual([...hand.slice(0, anchor), ...block, ...hand.slice(anchor)]);
      }
      // moves only ever target Simpul rules
      for (const s of steps) {
        const t = s.op === 'move' ? s.target : undefined;
        if (t && 'id' in t) expect(state.list(FILTER).find((x) => x['.id'] === t.id)?.comment).toMatch(/^simpul:/);
      }
    }
  });
});
