/**
 * LAN diagrams and cable surveys per OPD: the thin I/O edge around the pure parsers, validator
 * and diff. An upload is parsed and validated before anything is written, so a refused file
 * leaves no trace but its 4xx; an accepted one becomes the next version in one transaction with
 * its audit entry.
 */
import { createHash } from 'node:crypto';
import { canSeeOpd, requirePermission, seesAllOpds, systemActor, type Actor } from '../auth/actor.js';
import type { Clock } from '../common/clock.js';
import { notFound } from '../common/errors.js';
import type { Inventory } from '../inventory/model.js';
import type { IpamService } from '../ipam/service.js';
import type { Store } from '../store/store.js';
import type { Grammar } from '../labels/grammar.js';
import { samePort } from '../labels/interfaces.js';
import { BilingualError, msg } from '../labels/messages.js';
import { parseSurveyCsv, surveyReport, type CableReport, type SurveyProblem } from '../labels/survey.js';
import type { LabelContext } from '../labels/validate.js';
import { complianceRow, type ComplianceRow, type LatestDiagram } from './compliance.js';
import { diffGraphs, type GraphDiff } from './diff.js';
import { DiagramError, type DiagramLimits, type Severity, type TopologyGraph } from './model.js';
import { parseDiagram } from './upload.js';
import { checkSubmission, reportForOffice, validateDiagram, type DiagramContext, type LldpNeighbor, type ValidationReport } from './validate.js';
import { neighborsOf } from '../snmp/lldp-read.js';

export interface TopologyOptions {
  limits: DiagramLimits;
  deadlineDays: number;
  keepOriginalMaxBytes: number;
  maxSurveyBytes: number;
  grammar: Grammar;
}

export interface VersionSummary {
  opd: string;
  version: number;
  uploadedAt: string;
  uploadedBy: string;
  format: string;
  fileName: string | null;
  size: number;
  sha256: string;
  nodes: number;
  links: number;
  findings: Record<Severity, number>;
  cables: { total: number; labelled: number; validLabels: number };
  hasOriginal: boolean;
  /** A withdrawn version stays in the history but no longer counts (compliance, label checks, diffs). */
  withdrawn: boolean;
  withdrawnAt: string | null;
  withdrawnBy: string | null;
}

export interface DiagramVersion extends VersionSummary {
  graph: TopologyGraph;
  report: ValidationReport;
  diff: GraphDiff;
}

/** An upload's answer: the new version, or (unchanged) the latest version the same file already is. */
export interface UploadResult extends DiagramVersion {
  unchanged: boolean;
}

export interface SurveySummary {
  id: number;
  opd: string;
  uploadedAt: string;
  uploadedBy: string;
  fileName: string | null;
  size: number;
  sha256: string;
  readings: number;
  cables: number;
  ok: number;
  errors: number;
  warnings: number;
}

export interface SurveyResult extends SurveySummary {
  report: { cables: CableReport[]; problems: SurveyProblem[] };
}

interface VersionRow {
  opd: string;
  version: number;
  uploaded_at: string;
  uploaded_by: string;
  source_format: string;
  file_name: string | null;
  size: number;
  sha256: string;
  nodes: number;
  links: number;
  errors: number;
  warnings: number;
  infos: number;
  cables: number;
  labelled: number;
  valid_labels: number;
  has_original: number;
  withdrawn_at: string | null;
  withdrawn_by: string | null;
}

interface SurveyRowDb {
  id: number;
  opd: string;
  uploaded_at: string;
  uploaded_by: string;
  file_name: string | null;
  size: number;
  sha256: string;
  readings: number;
  cables: number;
  ok: number;
  errors: number;
  warnings: number;
}

const SUMMARY_COLUMNS = `opd, version, uploaded_at, uploaded_by, source_format, file_name, size, sha256, nodes, links,
  errors, warnings, infos, cables, labelled, valid_labels, original IS NOT NULL AS has_original, withdrawn_at, withdrawn_by`;

/** The versions that count: compliance, label checks and diffs never see a withdrawn one. */
const COUNTED = 'withdrawn_at IS NULL';

const summaryOf = (r: VersionRow): VersionSummary => ({
  opd: r.opd,
  version: r.version,
  uploadedAt: r.uploaded_at,
  uploadedBy: r.uploaded_by,
  format: r.source_format,
  fileName: r.file_name,
  size: r.size,
  sha256: r.sha256,
  nodes: r.nodes,
  links: r.links,
  findings: { error: r.errors, warning: r.warnings, info: r.infos },
  cables: { total: r.cables, labelled: r.labelled, validLabels: r.valid_labels },
  hasOriginal: r.has_original === 1,
  withdrawn: r.withdrawn_at !== null,
  withdrawnAt: r.withdrawn_at,
  withdrawnBy: r.withdrawn_by,
});

const surveyOf = (r: SurveyRowDb): SurveySummary => ({
  id: r.id,
  opd: r.opd,
  uploadedAt: r.uploaded_at,
  uploadedBy: r.uploaded_by,
  fileName: r.file_name,
  size: r.size,
  sha256: r.sha256,
  readings: r.readings,
  cables: r.cables,
  ok: r.ok,
  errors: r.errors,
  warnings: r.warnings,
});

/** Strict UTF-8, or a clear 415: a survey is text a person typed or a spreadsheet exported. */
function surveyText(body: Uint8Array, max: number): string {
  if (body.byteLength > max) throw new BilingualError(413, 'SURVEY_TOO_LARGE', msg('SURVEY_TOO_LARGE', { size: body.byteLength, max }));
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    throw new BilingualError(415, 'DIAGRAM_NOT_TEXT', msg('DIAGRAM_NOT_TEXT'));
  }
}

export class TopologyService {
  private readonly reader: Actor = systemActor('topology');

  constructor(
    private readonly store: Store,
    private readonly ipam: IpamService,
    private readonly inventory: () => Inventory,
    private readonly clock: Clock,
    readonly options: TopologyOptions,
  ) {}

  /** The OPD as the actor may see it; another OPD (or an unknown one) is 404 for an opd-admin alike. */
  private opdFor(actor: Actor, code: string): { code: string; name: string } {
    requirePermission(actor, 'read');
    const opd = this.inventory().opds.find((o) => o.code === code);
    if (!opd || !canSeeOpd(actor, opd.code)) throw notFound('OPD', code);
    return opd;
  }

  /** Prefixes IPAM has allocated to the OPD (quarantined blocks are no longer its own). */
  allocated(opd: string): string[] {
    return this.ipam.listPrefixes(this.reader, { opd, state: 'allocated', limit: 10_000 }).map((p) => p.cidr);
  }

  /**
   * LLDP neighbors the poller recorded for the OPD's devices (by inventory or by diagram). A
   * backbone port (an inventory link) is left out unless the diagram draws a cable on it: the
   * uplink belongs to the backbone, not to the office's LAN diagram. Undefined when there are none.
   */
  lldp(opd: string, graph: TopologyGraph): LldpNeighbor[] | undefined {
    const inv = this.inventory();
    const ids = new Set(inv.devices.filter((d) => d.opd === opd).map((d) => d.id.toLowerCase()));
    // Another office's device drawn here (an uplink) is compared on that office's diagram: what it
    // sees is never reported on this one.
    const owner = new Map(inv.devices.map((d) => [d.id.toLowerCase(), d.opd]));
    for (const n of graph.nodes) if (n.deviceId && (owner.get(n.deviceId.toLowerCase()) ?? opd) === opd) ids.add(n.deviceId.toLowerCase());
    if (ids.size === 0) return undefined;
    const rows = neighborsOf(this.store.db, ids);
    if (rows.length === 0) return undefined;
    const nodeDevice = new Map(graph.nodes.map((n) => [n.id, n.deviceId?.toLowerCase()]));
    const drawn = (dev: string, port: string) =>
      graph.links.some((l) => [l.a, l.b].some((ep) => ep.node !== null && nodeDevice.get(ep.node) === dev && ep.port !== undefined && samePort(ep.port, port)));
    const backbone = (dev: string, port: string) => inv.links.some((l) => [l.a, l.b].some((e) => e.device.toLowerCase() === dev && samePort(e.port, port)));
    const out: LldpNeighbor[] = [];
    for (const { remoteSysName, ...r } of rows) {
      const dev = r.deviceId.toLowerCase();
      if (backbone(dev, r.localPort) && !drawn(dev, r.localPort)) continue;
      out.push({ ...r, ...(remoteSysName ? { remoteSysName } : {}) });
    }
    return out.length > 0 ? out : undefined;
  }

  /** What a diagram of the OPD is checked against: inventory, IPAM, LLDP, the grammar. */
  diagramContext(opd: string, graph: TopologyGraph): DiagramContext {
    const inv = this.inventory();
    const lldp = this.lldp(opd, graph);
    return {
      opd,
      opds: inv.opds.map((o) => o.code),
      devices: inv.devices,
      allocated: this.allocated(opd),
      grammar: this.options.grammar,
      ...(lldp ? { lldp } : {}),
    };
  }

  /** Labels are checked against the inventory and, with an OPD, its latest diagram. */
  labelContext(actor: Actor, opd?: string): LabelContext {
    requirePermission(actor, 'read');
    const inv = this.inventory();
    const base: LabelContext = { opds: inv.opds.map((o) => o.code), devices: inv.devices, grammar: this.options.grammar };
    if (!opd) return base;
    this.opdFor(actor, opd);
    const diagram = this.latestGraph(opd);
    return { ...base, opd, ...(diagram ? { diagram } : {}) };
  }

  private latestGraph(opd: string): TopologyGraph | undefined {
    const row = this.store.db.prepare(`SELECT graph_json FROM diagram_versions WHERE opd = ? AND ${COUNTED} ORDER BY version DESC LIMIT 1`).get(opd) as
      | { graph_json: string }
      | undefined;
    return row ? (JSON.parse(row.graph_json) as TopologyGraph) : undefined;
  }

  /**
   * Parse, check that it can stand as the office's submission, validate, diff against the latest
   * counted version, store as the next version. The same file as the latest counted version is
   * stored once: the answer is that version, `unchanged`, and nothing is written.
   */
  upload(actor: Actor, code: string, body: Uint8Array, fileName?: string): UploadResult {
    const opd = this.opdFor(actor, code).code;
    requirePermission(actor, 'write:opd');
    if (body.byteLength === 0) throw new DiagramError(400, 'DIAGRAM_EMPTY');
    const sha256 = createHash('sha256').update(body).digest('hex');
    // Uploads run synchronously on the one connection, so nothing lands between this read and the write below.
    const same = this.store.db.prepare(`SELECT version, sha256 FROM diagram_versions WHERE opd = ? AND ${COUNTED} ORDER BY version DESC LIMIT 1`).get(opd) as
      | { version: number; sha256: string }
      | undefined;
    if (same?.sha256 === sha256) return { ...this.forActor(actor, this.readVersion(opd, same.version)), unchanged: true };
    const graph = parseDiagram(body, this.options.limits);
    if (graph.opd && graph.opd.toUpperCase() !== opd) throw new DiagramError(422, 'DIAGRAM_OPD_MISMATCH', { declared: graph.opd, opd });
    checkSubmission(graph, opd, this.inventory().devices);
    const report = validateDiagram(graph, this.diagramContext(opd, graph));
    const keep = body.byteLength <= this.options.keepOriginalMaxBytes ? Buffer.from(body) : null;
    const stored = this.store.write(actor, (tx) => {
      const prev = tx.db.prepare(`SELECT version, graph_json FROM diagram_versions WHERE opd = ? AND ${COUNTED} ORDER BY version DESC LIMIT 1`).get(opd) as
        | { version: number; graph_json: string }
        | undefined;
      const diff = diffGraphs(prev ? (JSON.parse(prev.graph_json) as TopologyGraph) : undefined, graph);
      // Numbers are never reused: a withdrawn version keeps its own.
      const last = tx.db.prepare('SELECT MAX(version) FROM diagram_versions WHERE opd = ?').pluck().get(opd) as number | null;
      const version = (last ?? 0) + 1;
      const row: VersionRow = {
        opd,
        version,
        uploaded_at: tx.now,
        uploaded_by: actor.id,
        source_format: graph.source,
        file_name: fileName ?? null,
        size: body.byteLength,
        sha256,
        nodes: graph.nodes.length,
        links: graph.links.length,
        errors: report.bySeverity.error,
        warnings: report.bySeverity.warning,
        infos: report.bySeverity.info,
        cables: report.cables.total,
        labelled: report.cables.labelled,
        valid_labels: report.cables.validLabels,
        has_original: keep ? 1 : 0,
        withdrawn_at: null,
        withdrawn_by: null,
      };
      const { has_original: _h, withdrawn_at: _wa, withdrawn_by: _wb, ...cols } = row;
      tx.db
        .prepare(
          `INSERT INTO diagram_versions (opd, version, uploaded_at, uploaded_by, source_format, file_name, size, sha256, nodes, links,
             errors, warnings, infos, cables, labelled, valid_labels, graph_json, report_json, diff_json, original)
           VALUES (@opd, @version, @uploaded_at, @uploaded_by, @source_format, @file_name, @size, @sha256, @nodes, @links,
             @errors, @warnings, @infos, @cables, @labelled, @valid_labels, @graph_json, @report_json, @diff_json, @original)`,
        )
        .run({ ...cols, graph_json: JSON.stringify(graph), report_json: JSON.stringify(report), diff_json: JSON.stringify(diff), original: keep });
      tx.audit({
        action: 'diagram.upload',
        objectType: 'diagram',
        objectId: `${opd}/${version}`,
        opd,
        after: {
          version,
          sha256,
          size: body.byteLength,
          format: graph.source,
          fileName: fileName ?? null,
          findings: report.bySeverity,
          changes: {
            devices: { added: diff.devices.added.length, removed: diff.devices.removed.length, changed: diff.devices.changed.length },
            links: { added: diff.links.added.length, removed: diff.links.removed.length, changed: diff.links.changed.length },
          },
        },
      });
      return { ...summaryOf(row), graph, report, diff };
    });
    return { ...this.forActor(actor, stored), unchanged: false };
  }

  /** What an actor reads of a version: an opd-admin never learns whose another office's device is. */
  private forActor(actor: Actor, v: DiagramVersion): DiagramVersion {
    return seesAllOpds(actor) ? v : { ...v, report: reportForOffice(v.report, v.graph, v.opd) };
  }

  /**
   * Withdraw the OPD's latest counted version (a mistaken upload): it stays in the history,
   * flagged, and the version before it counts again. Audited like an upload.
   */
  withdraw(actor: Actor, code: string, version: number): VersionSummary {
    const opd = this.opdFor(actor, code).code;
    requirePermission(actor, 'write:opd');
    return this.store.write(actor, (tx) => {
      const row = tx.db.prepare(`SELECT ${SUMMARY_COLUMNS} FROM diagram_versions WHERE opd = ? AND version = ?`).get(opd, version) as VersionRow | undefined;
      if (!row) throw notFound('diagram version', `${opd}/${version}`);
      if (row.withdrawn_at !== null) throw new BilingualError(409, 'DIAGRAM_ALREADY_WITHDRAWN', msg('DIAGRAM_ALREADY_WITHDRAWN', { version }), { version });
      const latest = tx.db.prepare(`SELECT MAX(version) FROM diagram_versions WHERE opd = ? AND ${COUNTED}`).pluck().get(opd) as number;
      if (latest !== version) throw new BilingualError(409, 'DIAGRAM_NOT_LATEST', msg('DIAGRAM_NOT_LATEST', { version, latest }), { version, latest });
      tx.db.prepare('UPDATE diagram_versions SET withdrawn_at = ?, withdrawn_by = ? WHERE opd = ? AND version = ?').run(tx.now, actor.id, opd, version);
      const counted = tx.db.prepare(`SELECT MAX(version) FROM diagram_versions WHERE opd = ? AND ${COUNTED}`).pluck().get(opd) as number | null;
      tx.audit({
        action: 'diagram.withdraw',
        objectType: 'diagram',
        objectId: `${opd}/${version}`,
        opd,
        before: { version, withdrawn: false },
        after: { version, withdrawn: true, countedVersion: counted },
      });
      return summaryOf({ ...row, withdrawn_at: tx.now, withdrawn_by: actor.id });
    });
  }

  listVersions(actor: Actor, code: string): VersionSummary[] {
    const opd = this.opdFor(actor, code).code;
    const rows = this.store.db.prepare(`SELECT ${SUMMARY_COLUMNS} FROM diagram_versions WHERE opd = ? ORDER BY version DESC`).all(opd) as VersionRow[];
    return rows.map(summaryOf);
  }

  getVersion(actor: Actor, code: string, version: number): DiagramVersion {
    return this.forActor(actor, this.readVersion(this.opdFor(actor, code).code, version));
  }

  private readVersion(opd: string, version: number): DiagramVersion {
    const row = this.store.db
      .prepare(`SELECT ${SUMMARY_COLUMNS}, graph_json, report_json, diff_json FROM diagram_versions WHERE opd = ? AND version = ?`)
      .get(opd, version) as (VersionRow & { graph_json: string; report_json: string; diff_json: string }) | undefined;
    if (!row) throw notFound('diagram version', `${opd}/${version}`);
    return {
      ...summaryOf(row),
      graph: JSON.parse(row.graph_json) as TopologyGraph,
      report: JSON.parse(row.report_json) as ValidationReport,
      diff: JSON.parse(row.diff_json) as GraphDiff,
    };
  }

  /** The file as uploaded, when it was small enough to keep. */
  original(actor: Actor, code: string, version: number): { bytes: Buffer; format: string; fileName: string | null } {
    const opd = this.opdFor(actor, code).code;
    const row = this.store.db.prepare('SELECT original, source_format, file_name FROM diagram_versions WHERE opd = ? AND version = ?').get(opd, version) as
      | { original: Buffer | null; source_format: string; file_name: string | null }
      | undefined;
    if (!row?.original) throw notFound('original file of diagram version', `${opd}/${version}`);
    return { bytes: row.original, format: row.source_format, fileName: row.file_name };
  }

  /** Changes from version `from` to version `to` (either order; both must exist). */
  diffVersions(actor: Actor, code: string, from: number, to: number): GraphDiff {
    const opd = this.opdFor(actor, code).code;
    const graph = (v: number) => {
      const row = this.store.db.prepare('SELECT graph_json FROM diagram_versions WHERE opd = ? AND version = ?').get(opd, v) as
        | { graph_json: string }
        | undefined;
      if (!row) throw notFound('diagram version', `${opd}/${v}`);
      return JSON.parse(row.graph_json) as TopologyGraph;
    };
    return diffGraphs(graph(from), graph(to));
  }

  uploadSurvey(actor: Actor, code: string, body: Uint8Array, fileName?: string): SurveyResult {
    const opd = this.opdFor(actor, code).code;
    requirePermission(actor, 'write:opd');
    const parsed = parseSurveyCsv(surveyText(body, this.options.maxSurveyBytes), { maxBytes: this.options.maxSurveyBytes, maxRows: 20_000 });
    const cables = surveyReport(parsed.rows, this.labelContext(actor, opd));
    const report = { cables, problems: parsed.problems };
    const sha256 = createHash('sha256').update(body).digest('hex');
    return this.store.write(actor, (tx) => {
      const counts = {
        readings: parsed.rows.length,
        cables: cables.length,
        ok: cables.filter((c) => c.status === 'ok').length,
        errors: cables.filter((c) => c.status === 'error').length,
        warnings: cables.filter((c) => c.status === 'warning').length,
      };
      const info = tx.db
        .prepare(
          `INSERT INTO survey_reports (opd, uploaded_at, uploaded_by, file_name, size, sha256, readings, cables, ok, errors, warnings, report_json)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          opd,
          tx.now,
          actor.id,
          fileName ?? null,
          body.byteLength,
          sha256,
          counts.readings,
          counts.cables,
          counts.ok,
          counts.errors,
          counts.warnings,
          JSON.stringify(report),
        );
      const id = Number(info.lastInsertRowid);
      tx.audit({ action: 'survey.upload', objectType: 'survey', objectId: String(id), opd, after: { sha256, fileName: fileName ?? null, ...counts } });
      return { id, opd, uploadedAt: tx.now, uploadedBy: actor.id, fileName: fileName ?? null, size: body.byteLength, sha256, ...counts, report };
    });
  }

  listSurveys(actor: Actor, code: string): SurveySummary[] {
    const opd = this.opdFor(actor, code).code;
    return (this.store.db.prepare('SELECT * FROM survey_reports WHERE opd = ? ORDER BY id DESC').all(opd) as SurveyRowDb[]).map(surveyOf);
  }

  getSurvey(actor: Actor, code: string, id: number): SurveyResult {
    const opd = this.opdFor(actor, code).code;
    const row = this.store.db.prepare('SELECT * FROM survey_reports WHERE opd = ? AND id = ?').get(opd, id) as
      | (SurveyRowDb & { report_json: string })
      | undefined;
    if (!row) throw notFound('survey', `${opd}/${id}`);
    return { ...surveyOf(row), report: JSON.parse(row.report_json) as SurveyResult['report'] };
  }

  /** The latest version of every OPD that has one. */
  latest(): LatestDiagram[] {
    const rows = this.store.db
      .prepare(
        `SELECT d.opd, d.version, d.uploaded_at, d.errors, d.warnings, d.infos, d.cables, d.valid_labels
         FROM diagram_versions d JOIN (SELECT opd, MAX(version) AS v FROM diagram_versions WHERE ${COUNTED} GROUP BY opd) m ON d.opd = m.opd AND d.version = m.v`,
      )
      .all() as { opd: string; version: number; uploaded_at: string; errors: number; warnings: number; infos: number; cables: number; valid_labels: number }[];
    return rows.map((r) => ({
      opd: r.opd,
      version: r.version,
      uploadedAt: r.uploaded_at,
      findings: { error: r.errors, warning: r.warnings, info: r.infos },
      cables: r.cables,
      validLabels: r.valid_labels,
    }));
  }

  /** Every inventory OPD (an opd-admin: its own) with its diagram deadline and findings. */
  compliance(actor: Actor): { generatedAt: string; deadlineDays: number; opds: ComplianceRow[] } {
    requirePermission(actor, 'read');
    const latest = new Map(this.latest().map((l) => [l.opd, l]));
    const now = this.clock.now();
    const opds = this.inventory()
      .opds.filter((o) => seesAllOpds(actor) || o.code === actor.opd)
      .map((o) => complianceRow(o, latest.get(o.code), now, this.options.deadlineDays))
      .sort((a, b) => (a.opd < b.opd ? -1 : a.opd > b.opd ? 1 : 0));
    return { generatedAt: now.toISOString(), deadlineDays: this.options.deadlineDays, opds };
  }

  hasDiagram(opd: string): boolean {
    return !!this.store.db.prepare('SELECT 1 FROM diagram_versions WHERE opd = ? LIMIT 1').get(opd);
  }

  hasSurvey(opd: string): boolean {
    return !!this.store.db.prepare('SELECT 1 FROM survey_reports WHERE opd = ? LIMIT 1').get(opd);
  }
}
