// SNMP's read interface for LLDP neighbors (the diagram checks compare them with what offices
// drew): other domains ask here and never name the table.
import type { Db } from '../store/db.js';

export interface StoredNeighbor {
  deviceId: string;
  localPort: string;
  remoteChassis: string;
  remoteSysName: string | null;
  remotePort: string;
}

/** The stored neighbors of these devices (ids compared case-insensitively), by device and local port. */
export function neighborsOf(db: Db, deviceIds: Iterable<string>): StoredNeighbor[] {
  return db
    .prepare(
      `SELECT device_id AS deviceId, local_port AS localPort, remote_chassis AS remoteChassis, remote_sys_name AS remoteSysName, remote_port AS remotePort
       FROM lldp_neighbors WHERE lower(device_id) IN (SELECT lower(value) FROM json_each(?)) ORDER BY device_id, local_port`,
    )
    .all(JSON.stringify([...deviceIds])) as StoredNeighbor[];
}
