import { describe, expect, it } from 'vitest';
import { Counter, Gauge } from 'prom-client';
import { createRegistry } from '../../../src/metrics/registry.js';

describe('metrics registry', () => {
  it('never writes a control character into a label value, whatever a domain hands it', async () => {
    const registry = createRegistry();
    const g = new Gauge({ name: 'test_pool', help: 'h', labelNames: ['pool'] as const, registers: [registry] });
    g.set({ pool: 'bad\u0000name/<x>' }, 1);
    g.set({ pool: 'two\nlines\u001b[31m\u007f\u0085' }, 2);
    const c = new Counter({ name: 'test_total', help: 'h', labelNames: ['why'] as const, registers: [registry] });
    c.inc({ why: 'tab\there' });
    const text = await registry.metrics();
    // line breaks only between samples; nothing else below U+0020, nor DEL and the C1 controls
    for (const line of text.split('\n')) expect(line).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
    expect(text).not.toContain('\\n');
    expect(text).toContain('test_pool{pool="bad\uFFFDname/<x>"} 1');
    expect(text).toContain('test_pool{pool="two\uFFFDlines\uFFFD[31m\uFFFD\uFFFD"} 2');
    expect(text).toContain('test_total{why="tab\uFFFDhere"} 1');
    expect(await registry.getSingleMetricAsString('test_pool')).toContain('pool="bad\uFFFDname/<x>"');
    const json = await registry.getMetricsAsJSON();
    expect(JSON.stringify(json)).not.toMatch(/\\u000|\\n|\\t/);
  });
});
