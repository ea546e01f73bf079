import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

interface AxeViolation {
  id: string;
  impact: 'minor' | 'moderate' | 'serious' | 'critical' | null;
  help: string;
  nodes: { target: string[]; failureSummary?: string }[];
}

/**
 * Runs axe-core in the page and returns its serious and critical violations, described. The
 * pages' CSP forbids inline scripts, so axe is evaluated through the DevTools protocol
 * (page.evaluate), which CSP does not govern; no bypassCSP is needed, and the page is tested
 * with its real policy.
 */
export async function axeViolations(page: Page): Promise<string[]> {
  // Strings, not functions: the project compiles without the DOM library.
  const has = (await page.evaluate("typeof window.axe === 'object'")) as boolean;
  if (!has) await page.evaluate(AXE_SOURCE);
  const violations = (await page.evaluate("window.axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations)")) as AxeViolation[];
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

/** Fails with every serious or critical violation named, with where it is. */
export async function expectNoAxeViolations(page: Page): Promise<void> {
  const found = await axeViolations(page);
  if (found.length) throw new Error(`axe found ${found.length} serious/critical violation(s) on ${page.url()}:\n  ${found.join('\n  ')}`);
}
