/**
 * Lab mode's diagrams: the example regency's files in topology/ are uploaded once, as the system,
 * for each OPD that has none yet, so compliance, reports and pictures have data out of the box.
 * `CODE.drawio`, `CODE.drawio.svg` and `CODE.yaml` are diagrams; `CODE-survey.csv` are surveys.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { systemActor } from '../auth/actor.js';
import type { TopologyService } from './service.js';
import { OPD_CODE } from '../inventory/model.js';

export interface SeedResult {
  diagrams: string[];
  surveys: string[];
}

export function seedLabDiagrams(svc: TopologyService, dir: string, opds: ReadonlySet<string>): SeedResult {
  const actor = systemActor('lab');
  const out: SeedResult = { diagrams: [], surveys: [] };
  const files = readdirSync(dir).sort();
  // Diagrams first: a survey is checked against the OPD's diagram.
  for (const f of files) {
    const m = new RegExp(`^(${OPD_CODE})\\.(drawio|drawio\\.svg|ya?ml)$`).exec(f);
    if (!m || !opds.has(m[1]!) || svc.hasDiagram(m[1]!)) continue;
    svc.upload(actor, m[1]!, readFileSync(join(dir, f)), f);
    out.diagrams.push(f);
  }
  for (const f of files) {
    const m = new RegExp(`^(${OPD_CODE})-survey\\.csv$`).exec(f);
    if (!m || !opds.has(m[1]!) || svc.hasSurvey(m[1]!)) continue;
    svc.uploadSurvey(actor, m[1]!, readFileSync(join(dir, f)), f);
    out.surveys.push(f);
  }
  return out;
}
