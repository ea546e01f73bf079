/**
 * Reply schemas of the diagram, survey, label and compliance routes, and the views that put a
 * stored report into one language (`message`) while keeping both (`messages`).
 */
import { Type } from '@sinclair/typebox';
import type { Lang, Message } from '../labels/messages.js';
import type { LabelCheck } from '../labels/validate.js';
import type { CableReport, SurveyProblem } from '../labels/survey.js';
import type { Finding } from './model.js';
import type { ValidationReport } from './validate.js';
import { Nullable } from '../http/schemas.js';

const Str = Type.String();
const Opt = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Optional(t);
export const Messages = Type.Object({ id: Str, en: Str });
const Counts = Type.Object({ error: Type.Integer(), warning: Type.Integer(), info: Type.Integer() });

export const NodeOut = Type.Object({
  id: Str,
  label: Str,
  deviceId: Opt(Str),
  model: Opt(Str),
  mgmtIp: Opt(Str),
  ips: Type.Array(Str),
  ports: Type.Array(Str),
  code: Opt(Str),
  space: Opt(Str),
});
const EndpointOut = Type.Object({ node: Nullable(Str), port: Opt(Str) });
export const LinkOut = Type.Object({ id: Str, a: EndpointOut, b: EndpointOut, label: Opt(Str), farLabel: Opt(Str) });
export const GraphOut = Type.Object({ source: Str, opd: Opt(Str), nodes: Type.Array(NodeOut), links: Type.Array(LinkOut) });

const change = <T extends typeof NodeOut | typeof LinkOut>(t: T) => Type.Object({ key: Str, before: t, after: t, fields: Type.Array(Str) });
export const DiffOut = Type.Object({
  devices: Type.Object({ added: Type.Array(NodeOut), removed: Type.Array(NodeOut), changed: Type.Array(change(NodeOut)) }),
  links: Type.Object({ added: Type.Array(LinkOut), removed: Type.Array(LinkOut), changed: Type.Array(change(LinkOut)) }),
  empty: Type.Boolean(),
});

export const FindingOut = Type.Object({ code: Str, severity: Str, element: Str, message: Str, messages: Messages });
export const ReportOut = Type.Object({
  lang: Str,
  bySeverity: Counts,
  cables: Type.Object({ total: Type.Integer(), labelled: Type.Integer(), validLabels: Type.Integer() }),
  findings: Type.Array(FindingOut),
});

export const VersionOut = Type.Object({
  opd: Str,
  version: Type.Integer(),
  uploadedAt: Str,
  uploadedBy: Str,
  format: Str,
  fileName: Nullable(Str),
  size: Type.Integer(),
  sha256: Str,
  nodes: Type.Integer(),
  links: Type.Integer(),
  findings: Counts,
  cables: Type.Object({ total: Type.Integer(), labelled: Type.Integer(), validLabels: Type.Integer() }),
  hasOriginal: Type.Boolean(),
  withdrawn: Type.Boolean({ description: 'withdrawn by the office: kept in the history, no longer counted for compliance' }),
  withdrawnAt: Nullable(Str),
  withdrawnBy: Nullable(Str),
});
export const VersionDetailOut = Type.Object({ version: VersionOut, graph: GraphOut, report: ReportOut, diff: DiffOut });
const uploadFields = {
  version: VersionOut,
  unchanged: Type.Boolean({ description: 'true when the file is the same as the latest counted version, which is answered instead of a new one' }),
  report: ReportOut,
  diff: DiffOut,
};
export const UploadOut = Type.Object(uploadFields, { description: 'Stored as a new version' });
export const UploadUnchangedOut = Type.Object(uploadFields, {
  description: 'The same file (sha256) as the latest counted version: nothing stored, that version answered with its report and diff',
});

const IssueOut = Type.Object({
  code: Str,
  severity: Str,
  part: Opt(Str),
  end: Opt(Str),
  column: Type.Optional(Type.Integer()),
  message: Str,
  messages: Messages,
});
const EndOut = Type.Object({
  opd: Str,
  space: Str,
  device: Str,
  port: Str,
  parts: Type.Record(Str, Str),
  columns: Type.Record(Str, Type.Integer()),
});
export const LabelResultOut = Type.Object({
  text: Str,
  ok: Type.Boolean(),
  parsed: Type.Optional(Type.Object({ text: Str, near: EndOut, far: EndOut })),
  issues: Type.Array(IssueOut),
});
export const LabelsOut = Type.Object({ lang: Str, opd: Nullable(Str), total: Type.Integer(), valid: Type.Integer(), labels: Type.Array(LabelResultOut) });

const ReadingOut = Type.Object({ line: Type.Integer(), location: Str, end: Str, text: Str });
const CableOut = Type.Object({ cable: Nullable(Str), label: Str, status: Str, readings: Type.Array(ReadingOut), issues: Type.Array(IssueOut) });
export const SurveySummaryOut = Type.Object({
  id: Type.Integer(),
  opd: Str,
  uploadedAt: Str,
  uploadedBy: Str,
  fileName: Nullable(Str),
  size: Type.Integer(),
  sha256: Str,
  readings: Type.Integer(),
  cables: Type.Integer(),
  ok: Type.Integer(),
  errors: Type.Integer(),
  warnings: Type.Integer(),
});
export const SurveyOut = Type.Object({
  survey: SurveySummaryOut,
  lang: Str,
  cables: Type.Array(CableOut),
  problems: Type.Array(Type.Object({ line: Type.Integer(), message: Str, messages: Messages })),
});

export const ComplianceOut = Type.Object({
  generatedAt: Str,
  deadlineDays: Type.Integer(),
  opds: Type.Array(
    Type.Object({
      opd: Str,
      name: Str,
      version: Nullable(Type.Integer()),
      lastDiagramAt: Nullable(Str),
      ageDays: Nullable(Type.Integer()),
      dueAt: Nullable(Str),
      daysUntilDeadline: Nullable(Type.Integer()),
      overdue: Type.Boolean(),
      findings: Counts,
      cables: Type.Integer(),
      validLabels: Type.Integer(),
      validLabelShare: Nullable(Type.Number()),
    }),
  ),
});

const say = (m: Message, lang: Lang) => ({ message: m[lang], messages: m });

export const findingView = (f: Finding, lang: Lang) => ({ code: f.code, severity: f.severity, element: f.element, ...say(f.message, lang) });

export function reportView(r: ValidationReport, lang: Lang) {
  return { lang, bySeverity: r.bySeverity, cables: r.cables, findings: r.findings.map((f) => findingView(f, lang)) };
}

type Issue = LabelCheck['issues'][number];
const issueView = (i: Issue, lang: Lang) => ({
  code: i.code,
  severity: i.severity,
  ...(i.part !== undefined ? { part: i.part } : {}),
  ...(i.end !== undefined ? { end: i.end } : {}),
  ...(i.column !== undefined ? { column: i.column } : {}),
  ...say(i.message, lang),
});

export const labelView = (c: LabelCheck, lang: Lang) => ({
  text: c.text,
  ok: c.ok,
  ...(c.parsed ? { parsed: c.parsed } : {}),
  issues: c.issues.map((i) => issueView(i, lang)),
});

export const cableView = (c: CableReport, lang: Lang) => ({ ...c, issues: c.issues.map((i) => issueView(i, lang)) });
export const problemView = (p: SurveyProblem, lang: Lang) => ({ line: p.line, ...say(p.message, lang) });
