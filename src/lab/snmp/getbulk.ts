import type { Agent, Varbind } from 'net-snmp';

interface AgentInternals {
  addGetNextVarbind(target: Varbind[], startOid: string): { oid: string } | null;
  request(socket: unknown, message: unknown, rinfo: unknown): void;
  getBulkRequest(socket: unknown, message: { pdu: BulkPdu }, rinfo: unknown): void;
}
interface BulkPdu {
  varbinds: Varbind[];
  nonRepeaters: number;
  maxRepetitions: number;
}

/**
 * net-snmp's agent (3.29) caps a GETBULK response at max-repetitions varbinds in total; RFC 3416
 * 4.2.3 gives N non-repeaters plus up to M repetitions of each of the R repeaters. Real switches
 * do the latter, so the lab does too, truncating at `maxVarbinds` as an agent does when the
 * response would exceed its message size.
 */
export function conformGetBulk(agent: Agent, maxVarbinds: number): void {
  const a = agent as unknown as AgentInternals;
  a.getBulkRequest = (socket, message, rinfo) => {
    const pdu = message.pdu;
    const vbs = pdu.varbinds;
    const n = Math.min(Math.max(pdu.nonRepeaters, 0), vbs.length);
    const out: Varbind[] = [];
    for (let i = 0; i < n; i++) a.addGetNextVarbind(out, (vbs[i] as Varbind).oid);
    const cursors = vbs.slice(n).map((v) => v.oid);
    outer: for (let m = 0; m < Math.max(pdu.maxRepetitions, 0) && cursors.length > 0; m++) {
      let moved = false;
      for (let r = 0; r < cursors.length; r++) {
        if (out.length >= maxVarbinds) break outer;
        const next = a.addGetNextVarbind(out, cursors[r] as string);
        if (next) {
          cursors[r] = next.oid;
          moved = true;
        }
      }
      if (!moved) break;
    }
    pdu.varbinds = out;
    a.request(socket, message, rinfo);
  };
}
