/**
 * The free blocks of one prefix length: a min-heap of their first addresses, so the
 * lowest is at hand in O(1), with each address mapped to its heap slot so a block
 * that stops being free is removed in O(log n) (no lazy deletion, no rebuild spikes).
 */
export class FreeList {
  private readonly members = new Map<bigint, number>();
  private readonly heap: bigint[] = [];

  has(network: bigint): boolean {
    return this.members.has(network);
  }

  get size(): number {
    return this.heap.length;
  }

  add(network: bigint): void {
    this.heap.push(network);
    this.up(this.heap.length - 1, network);
  }

  delete(network: bigint): void {
    const i = this.members.get(network);
    if (i === undefined) return;
    this.members.delete(network);
    const last = this.heap.pop()!;
    if (i === this.heap.length) return;
    // Put the last element in the hole and let it float whichever way it must.
    if (i > 0 && last < this.heap[(i - 1) >> 1]!) this.up(i, last);
    else this.down(i, last);
  }

  min(): bigint | undefined {
    return this.heap[0];
  }

  private up(i: number, v: bigint): void {
    const h = this.heap;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pv = h[p]!;
      if (pv <= v) break;
      h[i] = pv;
      this.members.set(pv, i);
      i = p;
    }
    h[i] = v;
    this.members.set(v, i);
  }

  private down(i: number, v: bigint): void {
    const h = this.heap;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= h.length) break;
      const r = l + 1;
      const c = r < h.length && h[r]! < h[l]! ? r : l;
      const cv = h[c]!;
      if (cv >= v) break;
      h[i] = cv;
      this.members.set(cv, i);
      i = c;
    }
    h[i] = v;
    this.members.set(v, i);
  }
}
