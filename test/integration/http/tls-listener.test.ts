import { afterAll, describe, expect, it } from 'vitest';
import { request } from 'node:https';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ADMIN, startTestDaemon, tempDir, testConfig, type TestDaemon } from '../../helpers/daemon.js';
import { startDaemon } from '../../../src/daemon.js';
import { LAB_SIMPUL_CERT, LAB_SIMPUL_KEY } from '../../../src/lab/lab-tls.js';

/** A GET over HTTPS that verifies the server against `ca` (fetch cannot take a CA). */
function httpsGet(url: string, ca: string, token?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca, headers: token ? { authorization: `Bearer ${token}` } : {} }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the HTTPS listener for devices and agents', () => {
  const daemons: TestDaemon[] = [];
  afterAll(async () => {
    for (const d of daemons) await d.stop();
  });

  it('serves the same routes and auth as the HTTP listener, with a certificate the client verifies', async () => {
    const { dir, cleanup } = tempDir();
    writeFileSync(join(dir, 'cert.pem'), LAB_SIMPUL_CERT);
    writeFileSync(join(dir, 'key.pem'), LAB_SIMPUL_KEY);
    const d = await startTestDaemon({ config: { http: { tls: { port: 0, certFile: join(dir, 'cert.pem'), keyFile: join(dir, 'key.pem') } } } });
    daemons.push(d);
    expect(d.tlsUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect((await httpsGet(`${d.tlsUrl}/healthz`, LAB_SIMPUL_CERT)).status).toBe(200);
    expect((await httpsGet(`${d.tlsUrl}/api/v1/opds`, LAB_SIMPUL_CERT)).status).toBe(401);
    const ok = await httpsGet(`${d.tlsUrl}/api/v1/opds`, LAB_SIMPUL_CERT, ADMIN);
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.body).length).toBeGreaterThan(0);
    // A client that does not trust the certificate is refused by TLS itself.
    await expect(httpsGet(`${d.tlsUrl}/healthz`, '')).rejects.toThrow();
    cleanup();
  });

  it('is off unless configured outside lab mode', async () => {
    const d = await startTestDaemon();
    daemons.push(d);
    expect(d.tlsUrl).toBeNull();
  });

  it('refuses to start when the certificate cannot be read, naming the setting', async () => {
    const { dir, cleanup } = tempDir();
    const config = testConfig(dir, { http: { tls: { port: 0, certFile: join(dir, 'missing.pem'), keyFile: join(dir, 'missing.key') } } });
    await expect(startDaemon(config)).rejects.toThrow(/http\.tls: cannot read the certificate or key/);
    cleanup();
  });
});
