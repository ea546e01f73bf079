import type { Migration } from '../../store/migrations.js';

/**
 * LLDP neighbors as the SNMP poller last saw them, per device and local port. The diagram
 * validator reads this table (MATCH / MISMATCH / UNDOCUMENTED / NOT_DETECTED); the poller writes it.
 */
export const lldp: Migration = {
  version: 5,
  name: 'lldp neighbors',
  sql: `
CREATE TABLE lldp_neighbors (
  device_id TEXT NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
  local_port TEXT NOT NULL,
  local_if_index INTEGER,
  remote_chassis TEXT NOT NULL,
  remote_chassis_subtype INTEGER,
  remote_port TEXT NOT NULL,
  remote_port_subtype INTEGER,
  remote_port_desc TEXT,
  remote_sys_name TEXT,
  first_seen TEXT NOT NULL,
  last_seen TEXT NOT NULL,
  PRIMARY KEY (device_id, local_port, remote_chassis, remote_port)
);
`,
};
