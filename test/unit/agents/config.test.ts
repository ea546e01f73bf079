import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { backoffMs } from '../../../agents/backoff.js';
import { loadAgentConfig } from '../../../agents/config.js';
import { LAB_SIMPUL_CERT } from '../../../src/lab/lab-tls.js';
import { ROOT, tempDir } from '../../helpers/daemon.js';

describe('the agent config file', () => {
  it('reads the shipped example, with its defaults and the CA file it names', () => {
    const t = tempDir('simpul-agent-config-');
    const file = join(t.dir, 'agent.yaml');
    const example = readFileSync(join(ROOT, 'deploy/simpul-agent.example.yaml'), 'utf8');
    writeFileSync(file, example.replace('/etc/simpul-agent/simpul-ca.pem', 'ca.pem'));
    writeFileSync(join(t.dir, 'ca.pem'), LAB_SIMPUL_CERT);
    const c = loadAgentConfig(file);
    expect(c).toMatchObject({
      server: 'https://simpul.example.go.id:8443',
      agentId: 'dinkes-agent',
      caFile: join(t.dir, 'ca.pem'),
      ca: LAB_SIMPUL_CERT,
      queue: { maxAgeSeconds: 604800, maxBytes: 536870912 },
      retryMaxSeconds: 300,
    });
    t.cleanup();
  });

  it('names every wrong key, and refuses plain http and a CA file it cannot read', () => {
    const t = tempDir('simpul-agent-config-');
    const file = join(t.dir, 'agent.yaml');
    writeFileSync(file, 'server: http://simpul.example.go.id\ncaFile: ca.pem\nagentId: Bad_Id\nextra: 1\n');
    const err = (() => {
      try {
        loadAgentConfig(file);
      } catch (e) {
        return (e as Error).message;
      }
    })();
    expect(err).toMatch(/server:/);
    expect(err).toMatch(/agentId:/);
    expect(err).toMatch(/extra/);
    writeFileSync(file, 'server: https://simpul.example.go.id\ncaFile: missing.pem\nagentId: a1\n');
    expect(() => loadAgentConfig(file)).toThrow(/caFile: cannot read .*missing\.pem.*ENOENT/);
    t.cleanup();
  });
});

describe('backoff with full jitter', () => {
  it('draws below a ceiling that doubles per attempt up to the maximum', () => {
    expect([0, 1, 2, 3].map((a) => backoffMs(a, 1000, 5000, () => 0.999999))).toEqual([1000, 2000, 4000, 5000]);
    expect(backoffMs(50, 1000, 300_000, () => 0.5)).toBe(150_000);
    expect(backoffMs(3, 1000, 5000, () => 0)).toBe(0);
  });
});
