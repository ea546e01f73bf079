import { describe, expect, it } from 'vitest';
import { renderExport } from '../../../src/lab/routeros/export.js';
import { RouterState, type Rec } from '../../../src/lab/routeros/state.js';

const AL = '/ip/firewall/address-list';
const FILTER = '/ip/firewall/filter';

function run(s: RouterState, cmd: string, attrs: Rec = {}, queries: string[] = [], empty = false) {
  return s.execute(cmd, attrs, queries, empty).replies.map((r) => [r.type, r.attrs] as const);
}

describe('simulated router state', () => {
  it('adds with ids like *1A, refuses duplicates and bad values with their categories', () => {
    const s = new RouterState();
    const [[, added]] = run(s, `${AL}/add`, { list: 'x', address: '10.0.0.1/32' }) as [[string, Rec]];
    expect(added.ret).toMatch(/^\*[0-9A-F]+$/);
    expect(run(s, `${AL}/add`, { list: 'x', address: '10.0.0.1' })).toEqual([
      ['!trap', { message: 'failure: already have such entry' }],
      ['!done', {}],
    ]);
    expect(run(s, `${AL}/add`, { list: 'x', address: 'nope nope' })[0]).toEqual(['!trap', { message: 'invalid value for argument address', category: '1' }]);
    expect(run(s, '/ip/nothing/print')[0]).toEqual(['!trap', { message: 'no such command prefix', category: '0' }]);
    expect(run(s, '/system/resource/remove')[0]).toEqual(['!trap', { message: 'no such command', category: '0' }]);
    expect(run(s, `${AL}/print`, { '.proplist': 'address' })).toEqual([
      ['!re', { address: '10.0.0.1' }],
      ['!done', {}],
    ]);
  });

  it('IPv6 firewall menus: IPv6 addresses only, /128 printed bare, duplicates refused, rules ordered', () => {
    const s = new RouterState();
    const AL6 = '/ipv6/firewall/address-list';
    const F6 = '/ipv6/firewall/filter';
    expect(run(s, `${AL6}/add`, { list: 'x', address: '2001:db8::7/128' })[0]?.[0]).toBe('!done');
    expect(run(s, `${AL6}/add`, { list: 'x', address: '2001:db8::7' })[0]).toEqual(['!trap', { message: 'failure: already have such entry' }]);
    expect(run(s, `${AL6}/add`, { list: 'x', address: '192.0.2.1' })[0]).toEqual(['!trap', { message: 'invalid value for argument address', category: '1' }]);
    expect(run(s, `${AL6}/add`, { list: 'x', address: 'judi.example' })[0]?.[0]).toBe('!trap');
    expect(run(s, `${AL6}/print`, { '.proplist': 'list,address' })).toEqual([
      ['!re', { list: 'x', address: '2001:db8::7' }],
      ['!done', {}],
    ]);
    expect(run(s, `${F6}/add`, { chain: 'forward', action: 'drop', 'dst-address': '10.0.0.0/8' })[0]?.[0]).toBe('!trap');
    const accept = s.insert(F6, { chain: 'forward', action: 'accept', comment: 'accept' });
    run(s, `${F6}/add`, { chain: 'forward', action: 'drop', 'dst-address-list': 'x', comment: 'drop', 'place-before': accept });
    expect(s.list(F6).map((r) => r.comment)).toEqual(['drop', 'accept']);
  });

  it('prints with queries, count-only, !empty, get and getall', () => {
    const s = new RouterState({ identity: 'core' });
    expect(run(s, '/interface/print', { 'count-only': '' }, ['?type=ether'])).toEqual([['!done', { ret: '5' }]]);
    expect(run(s, `${AL}/print`, {}, [], true)).toEqual([
      ['!empty', {}],
      ['!done', {}],
    ]);
    expect(run(s, `${AL}/print`, { 'count-only': '' }, [], true)).toEqual([['!done', { ret: '0' }]]);
    expect(run(s, '/system/identity/get', { 'value-name': 'name' })).toEqual([['!done', { ret: 'core' }]]);
    expect(run(s, '/system/identity/set', { name: 'edge' })).toEqual([['!done', {}]]);
    expect(run(s, '/system/identity/getall')[0]).toEqual(['!re', { '.id': '*0', name: 'edge' }]);
    expect(run(s, '/system/resource/print', { '.proplist': 'board-name' })[0]?.[1]).toEqual({ 'board-name': 'CCR2004-1G-12S+2XS' });
  });

  it('removes comma-separated ids all or nothing, and moves rules', () => {
    const s = new RouterState();
    const ids = ['a', 'b', 'c', 'd'].map((c) => s.insert(FILTER, { chain: 'forward', comment: c }));
    expect(run(s, `${FILTER}/remove`, { '.id': `${ids[0]},*FFFF` })[0]).toEqual(['!trap', { message: 'no such item', category: '1' }]);
    expect(s.list(FILTER)).toHaveLength(4);
    run(s, `${FILTER}/move`, { numbers: ids[3] ?? '', destination: ids[0] ?? '' });
    expect(s.list(FILTER).map((r) => r.comment)).toEqual(['d', 'a', 'b', 'c']);
    run(s, `${FILTER}/move`, { numbers: ids[3] ?? '' });
    expect(s.list(FILTER).map((r) => r.comment)).toEqual(['a', 'b', 'c', 'd']);
    run(s, `${FILTER}/add`, { chain: 'forward', comment: 'e', 'place-before': ids[1] ?? '' });
    expect(s.list(FILTER).map((r) => r.comment)).toEqual(['a', 'e', 'b', 'c', 'd']);
    run(s, `${FILTER}/remove`, { '.id': `${ids[0]},${ids[2]}` });
    expect(s.list(FILTER).map((r) => r.comment)).toEqual(['e', 'b', 'd']);
  });

  it('renders an /export with non-default values, quoted when needed', () => {
    const s = new RouterState({ identity: 'core router' });
    s.insert(AL, { list: 'blocked', address: '192.0.2.1', comment: 'simpul:block "judi"' });
    s.insert('/ip/route', { 'dst-address': '10.20.0.0/22', gateway: '10.255.0.2' });
    const text = renderExport(s);
    expect(text).toContain('/ip firewall address-list\nadd address=192.0.2.1 comment="simpul:block \\"judi\\"" list=blocked\n');
    expect(text).toContain('/ip route\nadd dst-address=10.20.0.0/22 gateway=10.255.0.2\n');
    expect(text).toContain('/system identity\nset name="core router"\n');
    expect(text).not.toContain('disabled=');
  });
});
