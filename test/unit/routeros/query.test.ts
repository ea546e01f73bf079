import { describe, expect, it } from 'vitest';
import { compileQuery, QueryError } from '../../../src/lab/routeros/query.js';

const items: Record<string, string>[] = [
  { '.id': '*1', type: 'ether', mtu: '1500', name: 'ether1' },
  { '.id': '*2', type: 'ether', mtu: '9000', name: 'ether2', comment: 'uplink' },
  { '.id': '*3', type: 'bridge', mtu: '1500', name: 'br' },
];
const ids = (q: string[]) => items.filter(compileQuery(q)).map((i) => i['.id']);

describe('query stack', () => {
  it('matches values, presence and absence', () => {
    expect(ids([])).toEqual(['*1', '*2', '*3']);
    expect(ids(['?type=ether'])).toEqual(['*1', '*2']);
    expect(ids(['?=type=bridge'])).toEqual(['*3']);
    expect(ids(['?comment'])).toEqual(['*2']);
    expect(ids(['?-comment'])).toEqual(['*1', '*3']);
  });

  it('compares numbers numerically', () => {
    expect(ids(['?>mtu=1500'])).toEqual(['*2']);
    expect(ids(['?<mtu=9000'])).toEqual(['*1', '*3']);
  });

  it('combines with | & ! and ANDs what is left', () => {
    expect(ids(['?type=bridge', '?mtu=9000', '?#|'])).toEqual(['*2', '*3']);
    expect(ids(['?type=ether', '?mtu=1500', '?#&'])).toEqual(['*1']);
    expect(ids(['?type=ether', '?#!'])).toEqual(['*3']);
    expect(ids(['?type=ether', '?mtu=1500'])).toEqual(['*1']);
    expect(ids(['?type=bridge', '?mtu=9000', '?#|!'])).toEqual(['*1']);
  });

  it('rejects an operation on an empty stack', () => {
    expect(() => ids(['?#|'])).toThrow(QueryError);
  });
});
