import { describe, expect, it } from 'vitest';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadInventory } from '../../../src/inventory/load.js';
import { copyInventory, tempDir } from '../../helpers/daemon.js';

/** The example inventory with DINKES's agent, and `agent:` lines added under the given devices' mgmt lines. */
function withAgents(devices: Record<string, string>, dinkesAgent = '  - id: dinkes-agent\n    pollIntervalSeconds: 30\n') {
  const { dir, cleanup } = tempDir();
  const inv = copyInventory(dir);
  appendFileSync(join(inv, 'opds/DINKES.yaml'), `agents:\n${dinkesAgent}`);
  for (const [mgmt, line] of Object.entries(devices)) {
    for (const opd of ['DINKES', 'BAPPEDA']) {
      const f = join(inv, `opds/${opd}.yaml`);
      const text = readFileSync(f, 'utf8');
      if (text.includes(`mgmt: ${mgmt}\n`)) writeFileSync(f, text.replace(`mgmt: ${mgmt}\n`, `mgmt: ${mgmt}\n    ${line}\n`));
    }
  }
  const r = loadInventory(inv);
  cleanup();
  return { r, msgs: r.problems.map((p) => `${p.file.split('inventory/')[1]}:${p.line}: ${p.message}`) };
}

describe('inventory agents', () => {
  it("loads an OPD's agents and the devices they poll", () => {
    const { r } = withAgents({ '10.255.10.2': 'agent: dinkes-agent' });
    expect(r.problems).toEqual([]);
    expect(r.inventory!.agents).toEqual([{ id: 'dinkes-agent', pollIntervalSeconds: 30, opd: 'DINKES' }]);
    expect(r.inventory!.devices.find((d) => d.id === 'dinkes-sw01')?.agent).toBe('dinkes-agent');
  });

  it('reports an unknown agent and an agent of another OPD at the device line', () => {
    const { msgs } = withAgents({ '10.255.10.3': 'agent: dinkes-agnet', '10.255.4.2': 'agent: dinkes-agent' });
    expect(msgs).toEqual([
      expect.stringMatching(
        /^opds\/BAPPEDA\.yaml:\d+: agent 'dinkes-agent' belongs to DINKES, not BAPPEDA: an office's agent polls only that office's devices$/,
      ),
      expect.stringMatching(/^opds\/DINKES\.yaml:\d+: unknown agent 'dinkes-agnet'; the agents of this OPD are defined under agents: in its file$/),
    ]);
  });

  it('reports a duplicate agent id', () => {
    const { msgs } = withAgents({}, '  - id: dinkes-agent\n  - id: dinkes-agent\n');
    expect(msgs).toEqual([expect.stringMatching(/^opds\/DINKES\.yaml:\d+: duplicate agent id 'dinkes-agent' \(first defined in .*DINKES\.yaml:\d+\)$/)]);
  });
});
