// The NOC's home: what waits across the regency (pending requests, oldest first; backbone links
// down and busiest; routers not in their desired state; offices past their diagram deadline),
// each linking to its page; on a daemon without those modules, each part says it does not run.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemActor } from '../../../src/auth/actor.js';
import { startTestDaemon, type TestDaemon } from '../../helpers/daemon.js';
import { loginAs, page, textOf } from './browserless.js';

const PASSWORD = 'kata-sandi-yang-panjang';
let full: TestDaemon;
let bare: TestDaemon;
const ids: number[] = [];

beforeAll(async () => {
  [full, bare] = await Promise.all([
    startTestDaemon({ config: { log: { level: 'warn' } } }),
    startTestDaemon({ modules: [], config: { log: { level: 'warn' } } }),
  ]);
  for (const d of [full, bare])
    await d.services.users.create(systemActor('test'), { username: 'sari', displayName: 'Sari', role: 'noc-operator', password: PASSWORD });
  for (const opd of ['DINKES', 'BAPPEDA'])
    ids.push(
      full.services.requests.file(systemActor('test'), { type: 'ip-block', opd, prefixLength: 28, purpose: `ruang ${opd}`, justification: 'perangkat baru' })
        .id,
    );
}, 60_000);
afterAll(async () => {
  await full?.stop();
  await bare?.stop();
});

describe('NOC home', () => {
  it('shows the pending requests oldest first and the state of the backbone, routers and compliance, with links', async () => {
    const { res, html } = await page(full, await loginAs(full, 'sari', PASSWORD), '/');
    expect(res.status).toBe(200);
    const text = textOf(html);
    expect(text).toContain('2 permohonan menunggu keputusan');
    expect(html.indexOf(`href="/requests/${ids[0]}"`)).toBeLessThan(html.indexOf(`href="/requests/${ids[1]}"`));
    const links = ((await (await full.api('/api/v1/backbone')).json()) as unknown[]).length;
    expect(text).toContain(`${links} tautan backbone`);
    const routers = ((await (await full.api('/api/v1/routers')).json()) as { state: string }[]).filter((r) => r.state === 'in-sync').length;
    expect(text).toMatch(new RegExp(`${routers} dari \\d+ router sesuai`));
    expect(text).toMatch(/\d+ dari \d+ OPD melewati batas tahunan/);
    for (const href of ['/noc/requests', '/noc/backbone', '/noc/routers', '/noc/compliance']) expect(html).toContain(`href="${href}"`);
    expect(text).not.toMatch(/segera|soon/i);
  });

  it('says which parts do not run on a daemon without those modules', async () => {
    const { res, html } = await page(bare, await loginAs(bare, 'sari', PASSWORD), '/');
    expect(res.status).toBe(200);
    expect(textOf(html).match(/Bagian ini tidak berjalan di daemon ini/g)).toHaveLength(3);
    expect(textOf(html)).toContain('Tidak ada permohonan yang menunggu');
  });
});
