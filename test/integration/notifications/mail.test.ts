import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../../../src/common/clock.js';
import type { Actor } from '../../../src/auth/actor.js';
import { topologyModule } from '../../../src/topology/module.js';
import { blockingModule } from '../../../src/blocking/module.js';
import { notificationsModuleWith } from '../../../src/notifications/module.js';
import type { NotificationService } from '../../../src/notifications/service.js';
import type { MailOutbox } from '../../../src/notifications/outbox.js';
import { startTestDaemon, tempDir, type TestDaemon } from '../../helpers/daemon.js';
import { freePort, SmtpSink } from './smtp-sink.js';
import { actAsPerson, actorOf, createPeople } from './people.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const PUBLIC = 'https://simpul.example.go.id';
process.env.SIMPUL_TEST_SMTP_PASSWORD = 'mail-secret';

interface Harness {
  d: TestDaemon;
  as(username: string): Actor;
  clock: ManualClock;
  service: NotificationService;
  outbox: MailOutbox;
}

/** A daemon whose mail goes to the sink's port, on a manual clock, with the test's accounts. */
async function harness(
  port: number,
  kinds: Record<string, boolean> = {},
  restartOf?: { dataDir: string; clock: ManualClock; existing?: boolean },
): Promise<Harness> {
  const clock = restartOf?.clock ?? new ManualClock(new Date('2026-03-02T01:00:00Z'));
  let parts: { service: NotificationService; outbox: MailOutbox } | null = null;
  const d = await startTestDaemon({
    clock,
    modules: [topologyModule, blockingModule, notificationsModuleWith({ expose: (p) => (parts = p) })],
    routes: [actAsPerson(() => d.services.users)],
    config: {
      ...(restartOf ? { dataDir: restartOf.dataDir } : {}),
      http: { publicUrl: PUBLIC },
      notifications: {
        kinds,
        // Retries are driven by the test (drain() after moving the clock), not by a timer.
        mail: { enabled: true, pollSeconds: 3600, retryMinSeconds: 60, retryMaxSeconds: 3600, timeoutSeconds: 5 },
        smtp: {
          host: '127.0.0.1',
          port,
          from: 'Simpul Diskominfo <simpul@example.go.id>',
          auth: { username: 'simpul', password: { env: 'SIMPUL_TEST_SMTP_PASSWORD' } },
        },
      },
    },
  });
  if (!restartOf?.existing) {
    await createPeople(d.services.users, [
      { username: 'noc1', role: 'noc-admin', language: 'id' },
      { username: 'noc2', role: 'noc-operator', language: 'en' },
      { username: 'nomail', role: 'noc-operator', language: 'id', email: null },
      { username: 'viewer1', role: 'viewer', language: 'id' },
      { username: 'dk1', role: 'opd-admin', opd: 'DINKES', language: 'id' },
      { username: 'dk2', role: 'opd-admin', opd: 'DINKES', language: 'en' },
      { username: 'bp1', role: 'opd-admin', opd: 'BAPPEDA', language: 'id' },
    ]);
    await d.api('/api/v1/pools', { method: 'POST', json: { name: 'lan', scope: 'private', cidr: '10.20.0.0/16', role: 'opd-lan' } });
  }
  return { d, as: (u) => actorOf(d.services.users, u), clock, ...parts! };
}

const fileIpBlock = (h: Harness, who = 'dk1', purpose = 'LAN puskesmas') =>
  h.d.services.requests.file(h.as(who), { type: 'ip-block', addresses: 100, purpose, justification: 'gedung baru' });

const metric = async (h: Harness, name: string, kind: string): Promise<number> => {
  const text = await (await fetch(`${h.d.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}{kind="${kind}"}`) || (kind === '' && l.startsWith(`${name} `)));
  return line ? Number(line.split(' ').at(-1)) : NaN;
};

const outboxRows = (h: Harness) =>
  h.d.services.store.db
    .prepare(
      'SELECT m.to_addr, m.language, m.attempts, m.next_attempt_at, m.last_error, m.sent_at, n.kind FROM notification_mail m JOIN notifications n ON n.id = m.notification_id ORDER BY m.id',
    )
    .all() as {
    to_addr: string;
    language: string;
    attempts: number;
    next_attempt_at: string;
    last_error: string | null;
    sent_at: string | null;
    kind: string;
  }[];

describe('notification mail through a real SMTP server', () => {
  let sink: SmtpSink;
  let h: Harness;
  beforeAll(async () => {
    sink = new SmtpSink(await freePort());
    await sink.start();
    h = await harness(sink.port);
  });
  afterAll(async () => {
    await h?.d.stop();
    await sink.stop();
  });

  it("a filed request is mailed to every NOC account in that person's language, with the link to it", async () => {
    const req = fileIpBlock(h);
    await vi.waitFor(() => expect(sink.mails).toHaveLength(2), { timeout: 10_000 });
    const [id] = sink.to('noc1@example.go.id');
    const [en] = sink.to('noc2@example.go.id');
    expect(id!.subject).toBe(`Permintaan blok IP baru dari DINKES (#${req.id})`);
    expect(id!.text).toContain('Yth. Pak noc1,');
    expect(id!.text).toContain('Keperluan: LAN puskesmas');
    expect(id!.text).toContain('Diajukan oleh: Pak dk1');
    expect(id!.text).toContain('menunggu keputusan NOC');
    expect(id!.text).toContain(`${PUBLIC}/requests/${req.id}`);
    expect(id!.from).toBe('simpul@example.go.id');
    expect(id!.headers['content-type']).toMatch(/^text\/plain; charset=utf-8/);
    expect(en!.subject).toBe(`New IP block request from DINKES (#${req.id})`);
    expect(en!.text).toContain("waiting for the NOC's decision");
    // The viewer is not the NOC; the operator without an address has it in-app only.
    const inApp = h.d.services.store.db.prepare("SELECT user_id FROM notifications WHERE kind = 'request-filed' ORDER BY user_id").pluck().all();
    expect(inApp).toEqual(['user:noc1', 'user:noc2', 'user:nomail']);
    expect(await metric(h, 'simpul_notifications_sent_total', 'request-filed')).toBe(2);
  });

  it('an approval is mailed to the person who filed, not to the NOC member who approved', async () => {
    const req = fileIpBlock(h, 'dk2', 'LAN gudang farmasi');
    await vi.waitFor(() => expect(sink.mails).toHaveLength(4), { timeout: 10_000 });
    h.d.services.requests.approve(h.as('noc1'), req.id, {});
    await vi.waitFor(() => expect(sink.to('dk2@example.go.id')).toHaveLength(1), { timeout: 10_000 });
    const m = sink.to('dk2@example.go.id')[0]!;
    expect(m.subject).toBe(`Request #${req.id} approved`);
    expect(m.text).toMatch(/Result: 10\.20\.\d+\.\d+\/25/);
    await h.outbox.drain();
    expect(sink.to('dk1@example.go.id')).toHaveLength(0);
    expect(sink.mails.filter((x) => x.subject.includes('approved') || x.subject.includes('disetujui'))).toHaveLength(1);
  });

  it("a decision on a request filed with a token goes to the office's admins", async () => {
    const filed = (await (
      await h.d.api('/api/v1/requests', {
        method: 'POST',
        json: { type: 'ip-block', opd: 'BAPPEDA', addresses: 20, purpose: 'ruang rapat', justification: 'baru' },
      })
    ).json()) as Json;
    await h.outbox.drain();
    h.d.services.requests.approve(h.as('noc2'), filed.id as number, {});
    await vi.waitFor(() => expect(sink.to('bp1@example.go.id').map((m) => m.subject)).toEqual([`Permintaan #${filed.id} disetujui`]), { timeout: 10_000 });
    expect(sink.to('dk1@example.go.id')).toHaveLength(0);
  });

  it('a rejection reaches the requester in Indonesian with the reason', async () => {
    const req = fileIpBlock(h, 'dk1', 'semua ruangan');
    await vi.waitFor(() => expect(sink.mails).toHaveLength(10), { timeout: 10_000 });
    h.d.services.requests.reject(h.as('noc2'), req.id, 'cukup /26 untuk satu ruangan');
    await vi.waitFor(() => expect(sink.to('dk1@example.go.id')).toHaveLength(1), { timeout: 10_000 });
    const m = sink.to('dk1@example.go.id')[0]!;
    expect(m.subject).toBe(`Permintaan #${req.id} ditolak`);
    expect(m.text).toContain('Alasan: cukup /26 untuk satu ruangan');
  });

  it('with the mail server down the mail stays queued, attempts counted; once it is back each is sent once', async () => {
    await sink.stop();
    const before = sink.mails.length;
    const failedBefore = await metric(h, 'simpul_notifications_failed_total', 'request-filed');
    const req = fileIpBlock(h, 'dk1', 'CCTV');
    const mine = () => outboxRows(h).filter((r) => r.kind === 'request-filed' && r.sent_at === null);
    // The first mail fails and ends the pass (the server is down, the next would fail too).
    await vi.waitFor(() => expect(mine().map((r) => r.attempts)).toEqual([1, 0]), { timeout: 10_000 });
    expect(mine()[0]!.last_error).toMatch(/ECONNECTION|ECONNREFUSED/);
    expect(mine()[0]!.next_attempt_at).toBe(new Date(h.clock.now().getTime() + 60_000).toISOString());
    await h.outbox.drain();
    expect(mine().map((r) => r.attempts)).toEqual([1, 1]);
    // Not due yet: nothing is tried.
    h.clock.advance(30_000);
    expect(await h.outbox.drain()).toEqual({ sent: 0, failed: 0 });
    // Due: both tried again (the pass stops after the first), then backed off to 2 minutes.
    h.clock.advance(30_000);
    await h.outbox.drain();
    await h.outbox.drain();
    expect(mine().map((r) => r.attempts)).toEqual([2, 2]);
    expect(mine()[0]!.next_attempt_at).toBe(new Date(h.clock.now().getTime() + 120_000).toISOString());
    expect(await metric(h, 'simpul_notifications_failed_total', 'request-filed')).toBe(failedBefore + 4);
    expect(await metric(h, 'simpul_notifications_queued', '')).toBe(2);
    // A down mail server does not make the daemon unready.
    expect((await fetch(`${h.d.url}/readyz`)).status).toBe(200);

    await sink.start();
    h.clock.advance(120_000);
    expect(await h.outbox.drain()).toEqual({ sent: 2, failed: 0 });
    h.clock.advance(24 * 3600_000);
    expect(await h.outbox.drain()).toEqual({ sent: 0, failed: 0 });
    const arrived = sink.mails.slice(before);
    expect(arrived.map((m) => [m.to[0], m.subject]).sort()).toEqual([
      ['noc1@example.go.id', `Permintaan blok IP baru dari DINKES (#${req.id})`],
      ['noc2@example.go.id', `New IP block request from DINKES (#${req.id})`],
    ]);
    expect(mine()).toEqual([]);
    expect(await metric(h, 'simpul_notifications_queued', '')).toBe(0);
  });

  it('an exception ending in 3 days and a missing diagram are told to the office once, however often the scan runs', async () => {
    h.clock.set('2026-03-05T01:00:00Z');
    await h.d.api('/api/v1/blocklists/lainnya/entries', { method: 'POST', json: { value: 'wiki.example' } });
    const until = new Date(h.clock.now().getTime() + 10 * 86_400_000).toISOString();
    const req = h.d.services.requests.file(h.as('dk1'), {
      type: 'unblock',
      domain: 'wiki.example',
      justification: 'rujukan materi',
      duty: 'promosi kesehatan',
      until,
    });
    h.d.services.requests.approve(h.as('noc1'), req.id, {});
    const ending = () => h.d.services.store.db.prepare("SELECT user_id, dedupe_key FROM notifications WHERE kind = 'exception-ending' ORDER BY user_id").all();
    h.service.scan();
    expect(ending()).toEqual([]);
    h.clock.advance(7 * 86_400_000 + 60_000); // 3 days minus a minute before the end
    h.service.scan();
    h.service.scan();
    expect(ending()).toMatchObject([{ user_id: 'user:dk1' }, { user_id: 'user:dk2' }]);
    await h.outbox.drain();
    const mails = sink.mails.filter((m) => m.subject.includes('wiki.example'));
    expect(mails.map((m) => [m.to[0], m.subject]).sort()).toEqual([
      ['dk1@example.go.id', 'Akses DINKES ke wiki.example berakhir 15 Maret 2026 pukul 08.00 WIB'],
      ['dk2@example.go.id', "DINKES's access to wiki.example ends 15 March 2026 at 08:00 GMT+7"],
    ]);
    expect(mails[0]!.text).toContain(`${PUBLIC}/requests/${req.id}`);
    // DINKES never uploaded a diagram: overdue, told once; BAPPEDA's admin about its own office only.
    const overdue = h.d.services.store.db
      .prepare("SELECT user_id, dedupe_key FROM notifications WHERE kind = 'diagram-overdue' AND user_id IN ('user:dk1', 'user:bp1') ORDER BY user_id")
      .all();
    expect(overdue).toEqual([
      { user_id: 'user:bp1', dedupe_key: 'diagram-overdue:BAPPEDA:never' },
      { user_id: 'user:dk1', dedupe_key: 'diagram-overdue:DINKES:never' },
    ]);
  });

  it('the API lists only my own notifications, unread first, in my language; marks them read', async () => {
    const as = (user: string | null, path: string, method = 'GET') =>
      h.d.api(path, { method, headers: user ? { 'x-test-user': user } : {} }).then(async (r) => ({ status: r.status, body: (await r.json()) as Json }));
    const mine = await as('noc2', '/api/v1/notifications');
    expect(mine.status).toBe(200);
    expect(mine.body.unread).toBe(mine.body.total);
    expect(mine.body.items[0]).toMatchObject({
      kind: 'request-filed',
      title: expect.stringMatching(/^New site unblocking request from DINKES/),
      link: expect.stringMatching(/^\/requests\/\d+$/),
      readAt: null,
    });
    const first = mine.body.items.at(-1) as Json;
    const read = await as('noc2', `/api/v1/notifications/${first.id}/read`, 'POST');
    expect(read.body.readAt).toBe(h.clock.now().toISOString());
    const after = await as('noc2', '/api/v1/notifications?limit=100');
    expect(after.body.unread).toBe(mine.body.unread - 1);
    expect(after.body.items.at(-1).id).toBe(first.id); // read ones after unread ones
    // Someone else's notification is not found; a token (nobody's inbox) has none.
    expect((await as('noc1', `/api/v1/notifications/${first.id}/read`, 'POST')).status).toBe(404);
    expect((await as(null, '/api/v1/notifications')).body).toEqual({ unread: 0, total: 0, items: [] });
    const idList = await as('dk1', '/api/v1/notifications?unread=true');
    expect(idList.body.items.every((i: Json) => i.readAt === null)).toBe(true);
    expect(idList.body.items.map((i: Json) => i.title)).toContain('Diagram LAN DINKES sudah melewati batas waktu');
    const all = await as('noc2', '/api/v1/notifications/read-all', 'POST');
    expect(all.body).toEqual({ marked: mine.body.unread - 1, unread: 0 });
    expect((await as('noc2', '/api/v1/notifications')).body.unread).toBe(0);
    expect((await as('noc2', '/api/v1/notifications/abc/read', 'POST')).status).toBe(400);
  });
});

describe('a kind switched off', () => {
  let sink: SmtpSink;
  let h: Harness;
  beforeAll(async () => {
    sink = new SmtpSink(await freePort());
    await sink.start();
    h = await harness(sink.port, { requestFiled: false });
  });
  afterAll(async () => {
    await h?.d.stop();
    await sink.stop();
  });

  it('sends no mail for it but still lists it in-app; the other kinds are still mailed', async () => {
    const req = fileIpBlock(h);
    await h.outbox.drain();
    expect(h.d.services.store.db.prepare("SELECT count(*) FROM notifications WHERE kind = 'request-filed'").pluck().get()).toBe(3);
    expect(outboxRows(h).filter((r) => r.kind === 'request-filed')).toEqual([]);
    h.d.services.requests.approve(h.as('noc1'), req.id, {});
    await vi.waitFor(() => expect(sink.to('dk1@example.go.id').map((m) => m.subject)).toEqual([`Permintaan #${req.id} disetujui`]), { timeout: 10_000 });
    expect(sink.mails.filter((m) => m.subject.includes('baru'))).toEqual([]);
  });
});

describe('across a restart', () => {
  it('queued mail survives the restart and is sent once; a scan after the restart adds nothing already told', async () => {
    const sink = new SmtpSink(await freePort()); // not started: the mail server is down
    const { dir: dataDir, cleanup } = tempDir('simpul-notify-restart-');
    try {
      const a = await harness(sink.port, {}, { dataDir, clock: new ManualClock(new Date('2026-04-01T00:00:00Z')) });
      await a.d.api('/api/v1/blocklists/lainnya/entries', { method: 'POST', json: { value: 'wiki.example' } });
      const until = new Date(a.clock.now().getTime() + 2 * 86_400_000).toISOString();
      const req = a.d.services.requests.file(a.as('dk1'), { type: 'unblock', domain: 'wiki.example', justification: 'rujukan', duty: 'penyuluhan', until });
      a.d.services.requests.approve(a.as('noc1'), req.id, {});
      a.service.scan();
      a.service.scan();
      await a.outbox.drain();
      const told = () => a.d.services.store.db.prepare("SELECT count(*) FROM notifications WHERE kind = 'exception-ending'").pluck().get();
      expect(told()).toBe(2);
      // Filed (noc1, noc2), approved (dk1), ending (dk1, dk2), no diagram yet (dk1, dk2, bp1).
      expect(a.outbox.queued()).toBe(8);
      const queuedBefore = a.outbox.queued();
      await a.d.close();

      await sink.start();
      const clock = new ManualClock(new Date('2026-04-01T00:10:00Z'));
      const b = await harness(sink.port, {}, { dataDir, clock, existing: true });
      // Its start scanned again and drained the outbox: every queued mail arrives, once.
      await vi.waitFor(() => expect(sink.mails).toHaveLength(queuedBefore), { timeout: 10_000 });
      // The start's pass may still be marking them sent: join it (a drain during a pass answers that pass's count).
      await b.outbox.drain();
      expect(b.outbox.queued()).toBe(0);
      b.service.scan();
      expect(b.d.services.store.db.prepare("SELECT count(*) FROM notifications WHERE kind = 'exception-ending'").pluck().get()).toBe(2);
      clock.advance(3600_000);
      expect(await b.outbox.drain()).toEqual({ sent: 0, failed: 0 });
      expect(sink.mails).toHaveLength(queuedBefore);
      const endings = sink.mails.filter((m) => m.subject.includes('wiki.example') && !m.subject.includes('#'));
      expect(endings.map((m) => m.to[0]).sort()).toEqual(['dk1@example.go.id', 'dk2@example.go.id']);
      const keys = sink.mails.map((m) => `${m.to[0]} ${m.subject}`);
      expect(new Set(keys).size).toBe(keys.length);
      await b.d.close();
    } finally {
      await sink.stop();
      cleanup();
    }
  });
});

describe('configuration', () => {
  it('mail enabled without an SMTP server stops the start, naming the key', async () => {
    await expect(startTestDaemon({ modules: [notificationsModuleWith()], config: { notifications: { mail: { enabled: true } } } })).rejects.toThrow(
      /notifications\.smtp: required when notifications\.mail\.enabled/,
    );
  });
});
