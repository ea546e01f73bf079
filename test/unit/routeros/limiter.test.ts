import { describe, expect, it } from 'vitest';
import { Semaphore } from '../../../src/routeros/limiter.js';

describe('Semaphore', () => {
  it('never runs more than its limit and runs everything', async () => {
    const s = new Semaphore(3);
    let running = 0;
    let peak = 0;
    const done: number[] = [];
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        s.run(async () => {
          running++;
          peak = Math.max(peak, running);
          await new Promise((r) => setTimeout(r, 1 + (i % 3)));
          running--;
          done.push(i);
        }),
      ),
    );
    expect(peak).toBe(3);
    expect(done.sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(s.running).toBe(0);
  });

  it('releases on failure and ignores a double release', async () => {
    const s = new Semaphore(1);
    await expect(s.run(async () => Promise.reject(new Error('x')))).rejects.toThrow('x');
    const release = await s.acquire();
    release();
    release();
    expect(s.running).toBe(0);
    expect(() => new Semaphore(0)).toThrow(RangeError);
  });
});
