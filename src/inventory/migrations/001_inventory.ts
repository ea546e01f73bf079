// Part of migration 1 (foundation), which created the tables of audit, auth and inventory at once.
/** The inventory as last synced from the YAML files: OPDs, sites, devices, backbone links. */
export const inventoryTables = `CREATE TABLE opds (
  code TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  kind TEXT NOT NULL,
  data_json TEXT NOT NULL
);
CREATE TABLE sites (
  id TEXT PRIMARY KEY,
  opd TEXT NOT NULL REFERENCES opds (code) ON DELETE RESTRICT,
  name TEXT NOT NULL,
  data_json TEXT NOT NULL
);
CREATE TABLE devices (
  id TEXT PRIMARY KEY,
  opd TEXT NOT NULL REFERENCES opds (code) ON DELETE RESTRICT,
  site TEXT NOT NULL REFERENCES sites (id) ON DELETE RESTRICT,
  role TEXT NOT NULL,
  mgmt_address TEXT NOT NULL,
  data_json TEXT NOT NULL
);
CREATE INDEX devices_opd ON devices (opd);
CREATE TABLE links (
  id TEXT PRIMARY KEY,
  a_device TEXT NOT NULL REFERENCES devices (id) ON DELETE RESTRICT,
  b_device TEXT NOT NULL REFERENCES devices (id) ON DELETE RESTRICT,
  data_json TEXT NOT NULL
);
`;
