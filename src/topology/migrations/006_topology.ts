import type { Migration } from '../../store/migrations.js';

/**
 * LAN diagrams and cable surveys per OPD. Each upload is a new version, kept forever (the change
 * report the regulation asks for): the normalized graph, its validation report and the diff
 * against the previous version. No foreign key to opds: the history outlives an OPD's removal
 * from the inventory. The summary columns feed the compliance view without parsing JSON.
 */
export const topology: Migration = {
  version: 6,
  name: 'topology: diagram versions and cable surveys',
  sql: `
CREATE TABLE diagram_versions (
  opd TEXT NOT NULL,
  version INTEGER NOT NULL CHECK (version >= 1),
  uploaded_at TEXT NOT NULL,
  uploaded_by TEXT NOT NULL,
  source_format TEXT NOT NULL,
  file_name TEXT,
  size INTEGER NOT NULL,
  sha256 TEXT NOT NULL,
  nodes INTEGER NOT NULL,
  links INTEGER NOT NULL,
  errors INTEGER NOT NULL,
  warnings INTEGER NOT NULL,
  infos INTEGER NOT NULL,
  cables INTEGER NOT NULL,
  labelled INTEGER NOT NULL,
  valid_labels INTEGER NOT NULL,
  graph_json TEXT NOT NULL,
  report_json TEXT NOT NULL,
  diff_json TEXT NOT NULL,
  original BLOB,
  PRIMARY KEY (opd, version)
);
CREATE TABLE survey_reports (
  id INTEGER PRIMARY KEY,
  opd TEXT NOT NULL,
  uploaded_at TEXT NOT NULL,
  uploaded_by TEXT NOT NULL,
  file_name TEXT,
  size INTEGER NOT NULL,
  sha256 TEXT NOT NULL,
  readings INTEGER NOT NULL,
  cables INTEGER NOT NULL,
  ok INTEGER NOT NULL,
  errors INTEGER NOT NULL,
  warnings INTEGER NOT NULL,
  report_json TEXT NOT NULL
);
CREATE INDEX survey_reports_opd ON survey_reports (opd, id);
`,
};
